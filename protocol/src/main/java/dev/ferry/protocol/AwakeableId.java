package dev.ferry.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;

/**
 * The id of an awakeable, as the SDKs hand it to user code and the ingress takes it back
 * ({@code POST /restate/awakeables/{id}/resolve}): {@code sign_1} followed by the unpadded base64url encoding of the
 * invocation id's bytes (the {@code id} of the invocation's {@code StartMessage}) and the awakeable's signal index as
 * a big-endian u32.
 *
 * <p>The SDK builds the id itself from {@code StartMessage.id}; resolving it delivers a signal with that index to that
 * invocation ({@code SignalNotificationMessage}). Ferry sends Restate's 24-byte invocation id layout (partition key
 * then the 128-bit unique part, big-endian), so the id names the invocation and its partition directly.
 *
 * <p>Ids starting {@code prom_1} come from journals of protocol versions 1 to 4, where the number was a journal
 * index. SDKs of v5 and later do not create them and no Ferry invocation can be named by one: they are refused with
 * a reason that says so.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class AwakeableId {
    public static final String PREFIX = "sign_1";
    /** The length of a Restate invocation id in bytes. */
    public static final int INVOCATION_ID_LENGTH = 24;
    /** Signal indexes 1 to 16 are reserved (1 cancels); SDKs number awakeables from 17. */
    public static final int FIRST_AWAKEABLE_SIGNAL_INDEX = 17;

    private static final int ENCODED_LENGTH = INVOCATION_ID_LENGTH + Integer.BYTES;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final byte[] invocationId;
    private final int signalIndex;

    private AwakeableId(byte[] invocationId, int signalIndex) {
        this.invocationId = invocationId;
        this.signalIndex = signalIndex;
    }

    /**
     * The awakeable with this signal index in the invocation with these id bytes.
     *
     * @param invocationId the 24 bytes of the invocation id, as sent in {@code StartMessage.id}
     * @param signalIndex an unsigned 32-bit index (as protobuf-java holds a uint32)
     */
    public static AwakeableId of(byte[] invocationId, int signalIndex) {
        if (invocationId == null || invocationId.length != INVOCATION_ID_LENGTH) {
            throw new IllegalArgumentException("an invocation id has " + INVOCATION_ID_LENGTH + " bytes: "
                    + (invocationId == null ? "null" : invocationId.length));
        }
        return new AwakeableId(invocationId.clone(), signalIndex);
    }

    /**
     * Parses an awakeable id. Padding at the end is accepted, as Restate accepts it.
     *
     * @throws InvalidAwakeableIdException with the reason, worded like Restate's ("bad format", "bad length", ...)
     */
    public static AwakeableId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidAwakeableIdException("bad length");
        }
        int separator = text.indexOf('_');
        if (separator < 0) {
            throw new InvalidAwakeableIdException("bad format");
        }
        String resourceType = text.substring(0, separator);
        switch (resourceType) {
            case "sign" -> { }
            case "prom" -> throw new InvalidAwakeableIdException(
                    "prom_1 ids are awakeables of protocol versions 1 to 4, which Ferry does not speak");
            case "inv", "dp", "sub", "snap", "mut", "vq" ->
                throw new InvalidAwakeableIdException("id doesn't match the expected type");
            default -> throw new InvalidAwakeableIdException("unrecognized resource type: " + resourceType);
        }
        if (text.length() == separator + 1) {
            throw new InvalidAwakeableIdException("bad length");
        }
        if (text.charAt(separator + 1) != '1') {
            throw new InvalidAwakeableIdException("unrecognized codec version");
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidAwakeableIdException("base64 decode error");
        }
        if (decoded.length != ENCODED_LENGTH) {
            throw new InvalidAwakeableIdException("bad length");
        }
        ByteBuffer bytes = ByteBuffer.wrap(decoded);
        byte[] invocationId = new byte[INVOCATION_ID_LENGTH];
        bytes.get(invocationId);
        return new AwakeableId(invocationId, bytes.getInt());
    }

    /** The 24 bytes of the invocation id the awakeable belongs to. */
    public byte[] invocationId() {
        return invocationId.clone();
    }

    /** The partition key inside the invocation id: where to deliver the signal. */
    public long partitionKey() {
        return ByteBuffer.wrap(invocationId).getLong();
    }

    /** The signal index, an unsigned 32-bit number. */
    public int signalIndex() {
        return signalIndex;
    }

    /** The textual id, {@code sign_1...}. */
    @Override
    public String toString() {
        byte[] raw = ByteBuffer.allocate(ENCODED_LENGTH).put(invocationId).putInt(signalIndex).array();
        return PREFIX + ENCODER.encodeToString(raw);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AwakeableId that
                && signalIndex == that.signalIndex
                && Arrays.equals(invocationId, that.invocationId);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(invocationId) + signalIndex;
    }

    /** A malformed awakeable id; the message is the reason. */
    public static final class InvalidAwakeableIdException extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public InvalidAwakeableIdException(String reason) {
            super(reason);
        }
    }
}
