package dev.ferry.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An invocation id in Restate's textual format: {@code inv_} + version {@code 1} + 11 base62 digits of the
 * 64-bit partition key + 22 base62 digits of the 128-bit unique part (38 characters in all).
 *
 * <p>The partition key inside the id lets any component route a command about an invocation (attach, output,
 * cancel) to the partition that owns it without an index. Idempotent invocations and workflow runs get a
 * deterministic unique part, so a duplicate submission computes the same id and deduplication is a point lookup.
 *
 * <p>Inside the JVM an id is always this type; outside it (records, store keys, HTTP) it is always its textual form:
 * Jackson writes it with {@link #toString()} and reads it with {@link #parse}, so a record holds the same JSON string
 * as before the type existed. A malformed id in a record therefore fails the read of the whole record, with
 * {@link InvalidIdException} as the cause.
 */
public record InvocationId(long partitionKey, long uniqueHigh, long uniqueLow) {
    public static final String PREFIX = "inv_";
    private static final char VERSION = '1';
    public static final int LENGTH = PREFIX.length() + 1 + Base62.U64_WIDTH + Base62.U128_WIDTH;
    /** The length of the binary form. */
    public static final int BYTES = 24;
    /** Restate's other id kinds, so that a deployment id given as an invocation id gets the right reason. */
    private static final Set<String> KNOWN_RESOURCE_TYPES =
            Set.of("dp", "sub", "prom", "sign", "snap", "mut", "vq");

    /** A fresh id with a random unique part. */
    public static InvocationId random(long partitionKey) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new InvocationId(partitionKey, random.nextLong(), random.nextLong());
    }

    /**
     * An id whose unique part is the first 128 bits of SHA-256 over the given parts. Each part is length-prefixed,
     * so ("ab","c") and ("a","bc") never collide; a null part is distinct from an empty one.
     */
    public static InvocationId deterministic(long partitionKey, String... parts) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        for (String part : parts) {
            if (part == null) {
                sha256.update(ByteBuffer.allocate(4).putInt(-1).array());
                continue;
            }
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha256.update(bytes);
        }
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        return new InvocationId(partitionKey, digest.getLong(), digest.getLong());
    }

    /**
     * Parses the textual form, with Restate's reasons for what is wrong ("bad format", "bad length",
     * "base62 decode error", ...), so error answers read the same as Restate's.
     *
     * @throws InvalidIdException with the reason
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static InvocationId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidIdException("bad length");
        }
        int separator = text.indexOf('_');
        if (separator < 0) {
            throw new InvalidIdException("bad format");
        }
        String resourceType = text.substring(0, separator);
        if (!resourceType.equals("inv")) {
            throw new InvalidIdException(KNOWN_RESOURCE_TYPES.contains(resourceType)
                    ? "id doesn't match the expected type"
                    : "unrecognized resource type: " + resourceType);
        }
        int at = separator + 1;
        if (text.length() <= at) {
            throw new InvalidIdException("bad length");
        }
        if (text.charAt(at) != VERSION) {
            throw new InvalidIdException("unrecognized codec version");
        }
        at++;
        if (text.length() < at + Base62.U64_WIDTH + Base62.U128_WIDTH) {
            throw new InvalidIdException("bad length");
        }
        long partitionKey;
        long[] unique;
        try {
            partitionKey = Base62.parseU64(text, at);
            unique = Base62.parseU128(text, at + Base62.U64_WIDTH);
        } catch (IllegalArgumentException e) {
            throw new InvalidIdException("base62 decode error");
        }
        // Restate ignores characters after the id; Ferry refuses them, so one invocation has one spelling.
        if (text.length() != LENGTH) {
            throw new InvalidIdException("bad length");
        }
        return new InvocationId(partitionKey, unique[0], unique[1]);
    }

    /**
     * The 24 bytes of the id (partition key, then the unique part, big-endian): Restate's binary layout, which its
     * service protocol sends as {@code StartMessage.id} and embeds in awakeable ids.
     */
    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(partitionKey).putLong(uniqueHigh).putLong(uniqueLow).array();
    }

    /**
     * The id of {@link #toBytes()}'s form.
     *
     * @throws InvalidIdException when there are not exactly 24 bytes
     */
    public static InvocationId fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new InvalidIdException("bad length");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new InvocationId(buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    @JsonValue
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(LENGTH).append(PREFIX).append(VERSION);
        Base62.appendU64(out, partitionKey);
        Base62.appendU128(out, uniqueHigh, uniqueLow);
        return out.toString();
    }

    /** Thrown for a malformed invocation id; the message says what is wrong with it. */
    public static final class InvalidIdException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidIdException(String reason) {
            super(reason);
        }
    }
}
