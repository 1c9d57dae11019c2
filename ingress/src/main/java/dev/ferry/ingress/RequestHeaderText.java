package dev.ferry.ingress;

import io.helidon.common.buffers.LazyString;
import io.helidon.http.Header;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A request header's value as the text the client meant. {@code curl -H 'idempotency-key: €'} sends the key's UTF-8
 * bytes; Helidon 4 reads header values as US-ASCII, turning every byte above 0x7f into U+FFFD, so {@code €} and
 * {@code £} would both read as replacement characters: two different keys, one invocation. The bytes are still
 * held by the parsed header (a {@link LazyString}); this reads them again as UTF-8.
 *
 * <p>Helidon offers no public way to those bytes, so they are reached by reflection into its lazy header value.
 * Should a later Helidon keep them elsewhere, {@link #utf8} says so (null) rather than guessing, and the caller
 * refuses the request.
 */
final class RequestHeaderText {
    private static final Field LAZY_VALUE;
    private static final Field BUFFER;
    private static final Field OFFSET;
    private static final Field LENGTH;

    static {
        Field lazyValue = null;
        Field buffer = null;
        Field offset = null;
        Field length = null;
        try {
            lazyValue = Class.forName("io.helidon.http.HeaderValueLazy").getDeclaredField("value");
            buffer = LazyString.class.getDeclaredField("buffer");
            offset = LazyString.class.getDeclaredField("offset");
            length = LazyString.class.getDeclaredField("length");
            lazyValue.setAccessible(true);
            buffer.setAccessible(true);
            offset.setAccessible(true);
            length.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            lazyValue = null; // another Helidon: non-ASCII header values are refused, never mistaken
        }
        LAZY_VALUE = lazyValue;
        BUFFER = buffer;
        OFFSET = offset;
        LENGTH = length;
    }

    private RequestHeaderText() {}

    /**
     * The header's (first) value read as UTF-8 from the bytes the client sent, without surrounding spaces and tabs;
     * the value as Helidon read it when it is plain ASCII; null when its bytes are not UTF-8 or cannot be reached.
     */
    static String utf8(Header header) {
        String value = header.get();
        if (value.indexOf('\uFFFD') < 0) {
            return value;
        }
        byte[] bytes = rawBytes(header);
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString()
                    .strip();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] rawBytes(Header header) {
        if (LAZY_VALUE == null || !LAZY_VALUE.getDeclaringClass().isInstance(header) || header.valueCount() != 1) {
            return null;
        }
        try {
            Object lazy = LAZY_VALUE.get(header);
            if (!(lazy instanceof LazyString)) {
                return null;
            }
            int offset = OFFSET.getInt(lazy);
            return Arrays.copyOfRange((byte[]) BUFFER.get(lazy), offset, offset + LENGTH.getInt(lazy));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
