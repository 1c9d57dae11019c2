package dev.ferry.protocol;

import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Frames to bytes and back, for bytes that are all at hand ({@code byte[]}) or read from a blocking stream. For a
 * body that arrives in chunks, use {@link FrameDecoder}.
 *
 * <p>An invocation request body is the {@code StartMessage} frame then one frame per journal entry, back to back; a
 * response body is the service's frames, back to back, ending with an {@code EndMessage}, {@code SuspensionMessage}
 * or {@code ErrorMessage}.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class FrameCodec {
    private FrameCodec() {}

    /** The frames, back to back, as they travel. */
    public static byte[] encode(List<Frame> frames) {
        long total = 0;
        for (Frame frame : frames) {
            total += frame.encodedLength();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the frames add up to " + total + " bytes, more than one array holds");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        for (Frame frame : frames) {
            frame.writeTo(out);
        }
        return out.array();
    }

    /**
     * Every frame in the bytes, which must end where a frame ends.
     *
     * @throws MalformedFrameException when the bytes end inside a frame or a frame announces more than
     *     {@code maxBodyLength}
     */
    public static List<Frame> decode(byte[] bytes, int maxBodyLength) {
        FrameDecoder decoder = new FrameDecoder(maxBodyLength);
        List<Frame> frames = decoder.feed(bytes);
        decoder.finish();
        return frames;
    }

    /**
     * The next frame of a stream, or null when the stream ends cleanly before it, between two frames. Blocks until the
     * whole frame is read.
     *
     * @throws MalformedFrameException when the stream ends inside a frame or a frame announces more than
     *     {@code maxBodyLength}
     * @throws IOException when reading fails
     */
    public static Frame read(InputStream in, int maxBodyLength) throws IOException {
        if (maxBodyLength < 0) {
            throw new IllegalArgumentException("the maximum body length is negative: " + maxBodyLength);
        }
        byte[] header = in.readNBytes(Frame.HEADER_LENGTH);
        if (header.length == 0) {
            return null;
        }
        if (header.length < Frame.HEADER_LENGTH) {
            throw new MalformedFrameException("the bytes end inside a frame header: " + header.length + " of "
                    + Frame.HEADER_LENGTH + " bytes");
        }
        ByteBuffer fields = ByteBuffer.wrap(header);
        int type = Short.toUnsignedInt(fields.getShort());
        int flags = Short.toUnsignedInt(fields.getShort());
        long length = Integer.toUnsignedLong(fields.getInt());
        FrameDecoder.checkLength(type, length, maxBodyLength);
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new MalformedFrameException("the bytes end inside the body of a frame of type " + Frame.hex(type)
                    + ": " + body.length + " of " + length + " bytes");
        }
        // The array is this method's own and nothing writes to it again, so the frame may wrap it without a copy.
        return new Frame(type, flags, UnsafeByteOperations.unsafeWrap(body));
    }
}
