package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.protocol.ProtocolVersion.UnsupportedProtocolVersionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolVersionTest {

    @Test
    void ferrySpeaksVersionsFiveToSeven() {
        assertThat(ProtocolVersion.values()).containsExactly(ProtocolVersion.V5, ProtocolVersion.V6, ProtocolVersion.V7);
        assertThat(ProtocolVersion.oldest().number()).isEqualTo(5);
        assertThat(ProtocolVersion.newest().number()).isEqualTo(7);
        assertThat(ProtocolVersion.V7.isAtLeast(ProtocolVersion.V6)).isTrue();
        assertThat(ProtocolVersion.V5.isAtLeast(ProtocolVersion.V6)).isFalse();
    }

    @Test
    void eachVersionHasItsInvocationContentType() {
        assertThat(ProtocolVersion.V5.contentType()).isEqualTo("application/vnd.restate.invocation.v5");
        assertThat(ProtocolVersion.V6.contentType()).isEqualTo("application/vnd.restate.invocation.v6");
        assertThat(ProtocolVersion.V7.contentType()).isEqualTo("application/vnd.restate.invocation.v7");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "application/vnd.restate.invocation.v5 | V5",
        "application/vnd.restate.invocation.v7 | V7",
        "  Application/VND.Restate.Invocation.V6  | V6",
        "application/vnd.restate.invocation.v7; charset=binary | V7",
    })
    void aContentTypeNamesItsVersion(String contentType, ProtocolVersion version) {
        assertThat(ProtocolVersion.fromContentType(contentType)).contains(version);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "application/vnd.restate.invocation.v4",
        "application/vnd.restate.invocation.v8",
        "application/vnd.restate.invocation.v05",
        "application/vnd.restate.invocation.v",
        "application/vnd.restate.invocation.v7x",
        "application/vnd.restate.invocation.v99999999999",
        "application/json",
        "application/vnd.restate.endpointmanifest.v4+json",
    })
    void otherContentTypesNameNoVersionFerrySpeaks(String contentType) {
        assertThat(ProtocolVersion.fromContentType(contentType)).isEmpty();
    }

    @ParameterizedTest(name = "a service speaking {0} to {1} gets v{2}")
    @CsvSource({
        "5, 7, 7",   // TypeScript SDK 1.17.2
        "5, 6, 6",   // Java SDK 2.x with its Java state machine
        "1, 5, 5",
        "6, 6, 6",
        "7, 9, 7",
        "5, 5, 5",
        "2, 100, 7",
    })
    void negotiationPicksTheNewestVersionBothSpeak(int min, int max, int chosen) {
        assertThat(ProtocolVersion.negotiate(min, max).number()).isEqualTo(chosen);
    }

    @ParameterizedTest(name = "a service speaking {0} to {1} is refused")
    @CsvSource(delimiter = '|', value = {
        "1 | 4 | the service speaks protocol versions 1 to 4; Ferry speaks 5 to 7",
        "8 | 9 | the service speaks protocol versions 8 to 9; Ferry speaks 5 to 7",
        "2 | 2 | the service speaks protocol version 2; Ferry speaks 5 to 7",
        "8 | 8 | the service speaks protocol version 8; Ferry speaks 5 to 7",
        "7 | 5 | the service announces protocol versions 7 to 5: its minimum is above its maximum",
        "0 | 3 | the service announces protocol versions 0 to 3, but protocol versions start at 1",
        "-1 | 6 | the service announces protocol versions -1 to 6, but protocol versions start at 1",
    })
    void negotiationRefusesRangesThatDoNotMeetWithAReasonForTheOperator(int min, int max, String reason) {
        assertThatThrownBy(() -> ProtocolVersion.negotiate(min, max))
                .isInstanceOf(UnsupportedProtocolVersionException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessage(reason);
    }

    @Test
    void aVersionIsFoundByItsNumber() {
        assertThat(ProtocolVersion.ofNumber(6)).contains(ProtocolVersion.V6);
        assertThat(ProtocolVersion.ofNumber(4)).isEmpty();
    }
}
