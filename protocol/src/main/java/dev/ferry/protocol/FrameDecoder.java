package dev.ferry.protocol;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a stream of bytes that arrives in chunks (an HTTP response body) into {@link Frame}s. A chunk may end in the
 * middle of a frame and hold several frames; the decoder keeps what it cannot use yet and returns each frame as soon
 * as its last byte arrives.
 *
 * <p>Every frame's announced length is checked against a maximum as soon as its header is complete, before its body
 * is buffered, so a service cannot make the runtime buffer more than the maximum for one frame. Malformed input is
 * refused with a {@link MalformedFrameException} that says what is wrong; after one, the decoder refuses everything.
 *
 * <p>Not thread-safe: one decoder reads one stream.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class FrameDecoder {
    /** The largest body a Java array can hold once the header is counted. */
    public static final int LARGEST_MAX_BODY_LENGTH = Integer.MAX_VALUE - 16;

    private final int maxBodyLength;
    private byte[] buffer = new byte[0];
    private int start;
    private int end;
    private boolean failed;

    /**
     * @param maxBodyLength the largest body accepted, in bytes; a frame announcing more is refused
     */
    public FrameDecoder(int maxBodyLength) {
        if (maxBodyLength < 0 || maxBodyLength > LARGEST_MAX_BODY_LENGTH) {
            throw new IllegalArgumentException(
                    "the maximum body length must be 0 to " + LARGEST_MAX_BODY_LENGTH + ": " + maxBodyLength);
        }
        this.maxBodyLength = maxBodyLength;
    }

    public int maxBodyLength() {
        return maxBodyLength;
    }

    /** Takes the next chunk and returns the frames it completes, in order (often none or one). */
    public List<Frame> feed(byte[] chunk) {
        return feed(ByteBuffer.wrap(chunk));
    }

    /** Takes the next chunk (from its position to its limit, which it consumes) and returns the frames it completes. */
    public List<Frame> feed(ByteBuffer chunk) {
        if (failed) {
            throw new IllegalStateException("the stream was malformed; this decoder reads no more of it");
        }
        append(chunk);
        List<Frame> frames = new ArrayList<>();
        try {
            while (end - start >= Frame.HEADER_LENGTH) {
                int type = readU16(start);
                int flags = readU16(start + 2);
                long length = readU32(start + 4);
                checkLength(type, length, maxBodyLength);
                int frameLength = Frame.HEADER_LENGTH + (int) length;
                if (end - start < frameLength) {
                    break;
                }
                frames.add(new Frame(type, flags, ByteString.copyFrom(buffer, start + Frame.HEADER_LENGTH,
                        (int) length)));
                start += frameLength;
            }
        } catch (MalformedFrameException e) {
            failed = true;
            throw e;
        }
        compact();
        return frames;
    }

    /** Whether every byte fed so far belongs to a frame already returned: the stream may end here. */
    public boolean isBetweenFrames() {
        return start == end;
    }

    /**
     * Declares the end of the stream.
     *
     * @throws MalformedFrameException when the stream ended inside a frame
     */
    public void finish() {
        if (failed) {
            throw new IllegalStateException("the stream was malformed; this decoder reads no more of it");
        }
        int left = end - start;
        if (left == 0) {
            return;
        }
        failed = true;
        if (left < Frame.HEADER_LENGTH) {
            throw new MalformedFrameException(
                    "the bytes end inside a frame header: " + left + " of " + Frame.HEADER_LENGTH + " bytes");
        }
        throw new MalformedFrameException("the bytes end inside the body of a frame of type "
                + Frame.hex(readU16(start)) + ": " + (left - Frame.HEADER_LENGTH) + " of " + readU32(start + 4)
                + " bytes");
    }

    static void checkLength(int type, long length, int maxBodyLength) {
        if (length > maxBodyLength) {
            throw new MalformedFrameException("a frame of type " + Frame.hex(type) + " announces a body of " + length
                    + " bytes, more than the limit of " + maxBodyLength);
        }
    }

    private void append(ByteBuffer chunk) {
        int incoming = chunk.remaining();
        if (incoming == 0) {
            return;
        }
        if (buffer.length - end < incoming) {
            int needed = end - start + incoming;
            if (needed <= buffer.length) {
                compact();
            } else {
                // Grow geometrically, but never beyond what one frame may need plus this chunk.
                byte[] grown = new byte[Math.max(needed, Math.min(2 * buffer.length, Integer.MAX_VALUE - 8))];
                System.arraycopy(buffer, start, grown, 0, end - start);
                end -= start;
                start = 0;
                buffer = grown;
            }
        }
        chunk.get(buffer, end, incoming);
        end += incoming;
    }

    private void compact() {
        if (start == 0) {
            return;
        }
        System.arraycopy(buffer, start, buffer, 0, end - start);
        end -= start;
        start = 0;
    }

    private int readU16(int at) {
        return ((buffer[at] & 0xFF) << 8) | (buffer[at + 1] & 0xFF);
    }

    private long readU32(int at) {
        return ((long) readU16(at) << 16) | readU16(at + 2);
    }
}
