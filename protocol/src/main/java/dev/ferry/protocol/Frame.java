package dev.ferry.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * One message of Restate's service protocol as it travels: an 8-byte header, then the body.
 *
 * <pre>
 *   bytes 0-1  type id (u16, big-endian)     see {@link MessageType}
 *   bytes 2-3  flags (u16, big-endian)       only {@link #REQUESTED_ACK} is defined
 *   bytes 4-7  body length (u32, big-endian) the header not included
 *   then the body: the protobuf encoding of the message
 * </pre>
 *
 * <p>A frame keeps the body exactly as it was received. A journal stores frames and replays them byte for byte:
 * decoding a body and encoding it again could differ (field order, unknown fields of a newer SDK, an empty value
 * written or left out), and the SDK compares replayed commands with what its code does. {@link #toByteArray()} gives
 * back the original bytes of the whole frame, header included.
 *
 * @param type the 16-bit type id; custom entries and ids of newer protocols are kept as they are
 * @param flags the 16-bit flags
 * @param body the body, never null
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public record Frame(int type, int flags, ByteString body) {
    /** The length of a frame's header. */
    public static final int HEADER_LENGTH = 8;

    /**
     * The flag by which an SDK of protocol v7 asks for {@code ProposeRunCompletionAckMessage} in answer to a run
     * proposal (bit 15 of the flags). Only meaningful on {@link MessageType#PROPOSE_RUN_COMPLETION}.
     */
    public static final int REQUESTED_ACK = 0x8000;

    public Frame {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("a frame's type is 16 bits: " + type);
        }
        if (flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("a frame's flags are 16 bits: " + flags);
        }
        if (body == null) {
            throw new IllegalArgumentException("a frame's body is never null; an empty message has an empty body");
        }
    }

    /** The frame of a message, without flags. */
    public static Frame of(Message message) {
        return of(message, 0);
    }

    /** The frame of a message, with flags. */
    public static Frame of(Message message, int flags) {
        return new Frame(MessageType.of(message).id(), flags, message.toByteString());
    }

    /** The message type, or empty for a custom entry or an id this protocol version does not assign. */
    public Optional<MessageType> messageType() {
        return MessageType.ofId(type);
    }

    public MessageType.Kind kind() {
        return MessageType.Kind.of(type);
    }

    /** Whether the {@link #REQUESTED_ACK} flag is set. */
    public boolean requestedAck() {
        return (flags & REQUESTED_ACK) != 0;
    }

    /** The length of the body. */
    public int bodyLength() {
        return body.size();
    }

    /** The length of the whole frame, header included. */
    public int encodedLength() {
        return HEADER_LENGTH + body.size();
    }

    /**
     * The message in the body.
     *
     * @throws ProtocolException when the type is a custom entry or an id Ferry does not know
     * @throws MalformedFrameException when the body is not a valid encoding of the message the type names
     */
    public Message message() {
        MessageType messageType = messageType().orElseThrow(() -> new ProtocolException(
                "a frame of type " + hex(type) + " is not a message Ferry reads (a custom entry or one of a newer"
                        + " protocol)"));
        try {
            return messageType.parser().parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFrameException("the body of a frame of type " + hex(type) + " is not a valid "
                    + messageType.specName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The message in the body, which must be of the given class.
     *
     * @throws ProtocolException when the frame holds another type of message
     * @throws MalformedFrameException when the body is not a valid encoding of it
     */
    public <T extends Message> T message(Class<T> messageClass) {
        Message message = message();
        if (!messageClass.isInstance(message)) {
            throw new ProtocolException("expected a " + messageClass.getSimpleName() + ", the frame holds a "
                    + message.getClass().getSimpleName() + " (" + hex(type) + ")");
        }
        return messageClass.cast(message);
    }

    /** The whole frame, header and body, as it travels. */
    public byte[] toByteArray() {
        ByteBuffer out = ByteBuffer.allocate(encodedLength());
        writeTo(out);
        return out.array();
    }

    /** Writes the whole frame, header and body, at the buffer's position. */
    public void writeTo(ByteBuffer out) {
        out.putShort((short) type).putShort((short) flags).putInt(body.size());
        body.copyTo(out);
    }

    /** Writes the whole frame, header and body. */
    public void writeTo(OutputStream out) {
        try {
            out.write(header());
            body.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] header() {
        return ByteBuffer.allocate(HEADER_LENGTH).putShort((short) type).putShort((short) flags).putInt(body.size())
                .array();
    }

    @Override
    public String toString() {
        String name = messageType().map(MessageType::specName).orElse(kind().name().toLowerCase(Locale.ROOT));
        return "Frame[" + hex(type) + " " + name + ", flags " + hex(flags) + ", " + body.size() + " bytes]";
    }

    static String hex(int u16) {
        return String.format("0x%04X", u16);
    }
}
