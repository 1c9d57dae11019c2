package dev.ferry.schemas;

import dev.ferry.schemas.commands.Header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HeaderValuesTest {

    @Test
    void percentEncodeLeavesUnreservedCharactersAndEncodesEverythingElseAsUtf8() {
        assertThat(HeaderValues.percentEncode("my-counter_1.0~x")).isEqualTo("my-counter_1.0~x");
        assertThat(HeaderValues.percentEncode("€")).isEqualTo("%E2%82%AC");
        assertThat(HeaderValues.percentEncode("a b+c/d%e\n")).isEqualTo("a%20b%2Bc%2Fd%25e%0A");
        assertThat(HeaderValues.percentEncode("漢😀")).isEqualTo("%E6%BC%A2%F0%9F%98%80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-counter", "€", "漢", "😀", " lead and trail ", "a/b", "a%2Fb", "100%", "1+1", "l1\nl2",
            "tab\there", "", "ü", "\u0000"})
    void percentEncodingRoundTripsAndIsPrintableAscii(String key) {
        String encoded = HeaderValues.percentEncode(key);
        assertThat(HeaderValues.printableAscii(encoded)).isTrue();
        assertThat(encoded).doesNotContain(" ", "+");
        assertThat(HeaderValues.percentDecode(encoded)).isEqualTo(key);
    }

    @Test
    void percentDecodeKeepsAPlusAndRefusesMalformedEscapes() {
        assertThat(HeaderValues.percentDecode("1+1")).isEqualTo("1+1");
        assertThatThrownBy(() -> HeaderValues.percentDecode("100%")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderValues.percentDecode("%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderValues.percentDecode("%FF")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forHttpKeepsPrintableAsciiValuesAsTheyAre() {
        assertThat(HeaderValues.forHttp("X-Trace", "abc 123".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Header("x-trace", "abc 123"));
    }

    @Test
    void forHttpSendsBinaryNonAsciiAndControlValuesBase64UnderABinName() {
        byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 10, 65};
        assertThat(HeaderValues.forHttp("x-raw", binary))
                .isEqualTo(new Header("x-raw-bin", Base64.getEncoder().encodeToString(binary)));
        assertThat(HeaderValues.forHttp("x-trace", "漢".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Header("x-trace-bin", "5ryi"));
        assertThat(HeaderValues.forHttp("x-line", "a\nb".getBytes(StandardCharsets.UTF_8)).name()).isEqualTo("x-line-bin");
    }

    @Test
    void forHttpAlwaysEncodesAHeaderAlreadyNamedBin() {
        // A handler base64-decodes every -bin header, so one that arrives named so must be encoded too.
        assertThat(HeaderValues.forHttp("trace-bin", "abc".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Header("trace-bin", "YWJj"));
    }
}
