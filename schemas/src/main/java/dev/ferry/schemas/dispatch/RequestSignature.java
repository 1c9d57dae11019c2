package dev.ferry.schemas.dispatch;

import dev.ferry.schemas.HeaderValues;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a dispatcher puts on every request to a service, so the service can refuse requests that did not
 * come from Ferry: header {@code x-ferry-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>}, the MAC taken with
 * the deployment's key over these lines joined by {@code \n}:
 *
 * <pre>
 * t                      the same seconds as in the header
 * x-restate-id           the invocation id
 * path                   the request path, e.g. /invoke/Greeter/greet
 * x-restate-key          the x-restate-key header as sent (the key percent-encoded), empty for a service
 * hex(SHA-256(body))     of the request body as sent
 * </pre>
 *
 * The key is taken as it travels in the header, percent-encoded ({@link HeaderValues#percentEncode}), so a service
 * verifies the header value it received before decoding it. A service recomputes it from what it received and accepts the request when the MACs are equal (compared in
 * constant time) and {@code t} is within {@link #TOLERANCE} of its clock; every attempt is signed afresh, so
 * retries carry new timestamps.
 */
public final class RequestSignature {
    public static final String HEADER = "x-ferry-signature";
    /** How far a signature's time may be from the verifier's clock: replays beyond it are refused. */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    /** Keys shorter than this are refused at configuration: an HMAC is only as strong as its key. */
    public static final int MIN_KEY_LENGTH = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private RequestSignature() {}

    /**
     * Why {@code key} cannot sign requests, or null when it can: the one check of a key's length, for a
     * deployment's {@code signing_key} at registration and for {@code FERRY_SIGNING_KEY} at start.
     */
    public static String keyProblem(String key) {
        return key.length() < MIN_KEY_LENGTH ? "must have at least " + MIN_KEY_LENGTH + " characters" : null;
    }

    /** The header value for a request sent at {@code epochSeconds}. */
    public static String sign(String key, long epochSeconds, String invocationId, String path, String objectKey,
            byte[] body) {
        return "t=" + epochSeconds + ",v1=" + mac(key, epochSeconds, invocationId, path, objectKey, body);
    }

    /**
     * Why the request must be refused, or null when its signature is good.
     *
     * @param header the {@code x-ferry-signature} value received, null when absent
     */
    public static String problem(String key, String header, long nowEpochSeconds, String invocationId,
            String path, String objectKey, byte[] body) {
        if (header == null || header.isBlank()) {
            return "the request carries no " + HEADER + " header";
        }
        Long time = null;
        String given = null;
        for (String part : header.split(",")) {
            String item = part.trim();
            if (item.startsWith("t=")) {
                try {
                    time = Long.parseLong(item.substring(2));
                } catch (NumberFormatException e) {
                    return "the " + HEADER + " header has an unreadable time";
                }
            } else if (item.startsWith("v1=")) {
                given = item.substring(3);
            }
        }
        if (time == null || given == null) {
            return "the " + HEADER + " header needs t=<seconds>,v1=<hex>";
        }
        if (Math.abs(nowEpochSeconds - time) > TOLERANCE.toSeconds()) {
            return "the signature's time is more than " + TOLERANCE.toMinutes() + " minutes away from now";
        }
        byte[] expected = mac(key, time, invocationId, path, objectKey, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII))) {
            return "the signature does not match the request";
        }
        return null;
    }

    private static String mac(String key, long epochSeconds, String invocationId, String path, String objectKey,
            byte[] body) {
        String signed = epochSeconds + "\n" + invocationId + "\n" + path + "\n" + (objectKey == null ? "" : objectKey)
                + "\n" + HexFormat.of().formatHex(sha256(body));
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
