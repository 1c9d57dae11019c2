package dev.ferry.schemas.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestSignatureTest {
    private static final String KEY = "0123456789abcdef-secret";
    private static final String ID = "inv_1aiqX0vFEFNH1Umgre58JiCLgHfTtztYK5";
    private static final String PATH = "/invoke/Counter/add";
    private static final byte[] BODY = "{\"by\":1}".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_790_000_000L;

    @Test
    void aSignatureVerifiesAgainstTheSameRequest() {
        String header = RequestSignature.sign(KEY, NOW, ID, PATH, "mary", BODY);

        assertThat(header).startsWith("t=" + NOW + ",v1=");
        assertThat(RequestSignature.problem(KEY, header, NOW + 10, ID, PATH, "mary", BODY)).isNull();
    }

    @Test
    void theSignedStringIsDocumentedLineByLine() throws Exception {
        // Recomputed the way a service in another language would, from the class comment.
        String signed = NOW + "\n" + ID + "\n" + PATH + "\n" + "mary" + "\n"
                + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(BODY));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));

        assertThat(RequestSignature.sign(KEY, NOW, ID, PATH, "mary", BODY)).isEqualTo("t=" + NOW + ",v1=" + expected);
    }

    @Test
    void anyChangeToTheRequestBreaksTheSignature() {
        String header = RequestSignature.sign(KEY, NOW, ID, PATH, "mary", BODY);
        String mismatch = "the signature does not match the request";

        assertThat(RequestSignature.problem(KEY, header, NOW, ID, PATH, "john", BODY)).isEqualTo(mismatch);
        assertThat(RequestSignature.problem(KEY, header, NOW, ID, "/invoke/Counter/get", "mary", BODY))
                .isEqualTo(mismatch);
        assertThat(RequestSignature.problem(KEY, header, NOW, "inv_other", PATH, "mary", BODY)).isEqualTo(mismatch);
        assertThat(RequestSignature.problem(KEY, header, NOW, ID, PATH, "mary", "{\"by\":9}".getBytes()))
                .isEqualTo(mismatch);
        assertThat(RequestSignature.problem("another-key-0123456", header, NOW, ID, PATH, "mary", BODY))
                .isEqualTo(mismatch);
        String forgedTime = header.replace("t=" + NOW, "t=" + (NOW + 1));
        assertThat(RequestSignature.problem(KEY, forgedTime, NOW, ID, PATH, "mary", BODY)).isEqualTo(mismatch);
    }

    @Test
    void oldOrMissingOrMalformedSignaturesAreRefused() {
        String header = RequestSignature.sign(KEY, NOW, ID, PATH, null, BODY);

        assertThat(RequestSignature.problem(KEY, header, NOW + 301, ID, PATH, null, BODY))
                .isEqualTo("the signature's time is more than 5 minutes away from now");
        assertThat(RequestSignature.problem(KEY, null, NOW, ID, PATH, null, BODY))
                .isEqualTo("the request carries no x-ferry-signature header");
        assertThat(RequestSignature.problem(KEY, "v1=abc", NOW, ID, PATH, null, BODY))
                .isEqualTo("the x-ferry-signature header needs t=<seconds>,v1=<hex>");
        assertThat(RequestSignature.problem(KEY, "t=soon,v1=abc", NOW, ID, PATH, null, BODY))
                .isEqualTo("the x-ferry-signature header has an unreadable time");
    }

    @Test
    void aKeyShorterThanTheMinimumCannotSign() {
        assertThat(RequestSignature.keyProblem("x".repeat(RequestSignature.MIN_KEY_LENGTH - 1)))
                .isEqualTo("must have at least 16 characters");
        assertThat(RequestSignature.keyProblem("x".repeat(RequestSignature.MIN_KEY_LENGTH))).isNull();
    }
}
