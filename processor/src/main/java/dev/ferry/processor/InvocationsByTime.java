package dev.ferry.processor;

import dev.ferry.schemas.replies.InvocationCursor;
import java.nio.charset.StandardCharsets;

/**
 * The entries of the {@code invocations-by-time} index. The key is {@code Long.MAX_VALUE - createdAt} as 19 digits,
 * then the invocation id: ascending key order is the listing order (newest first, then by id), so a range scan from
 * a cursor reads the next page without looking at anything before it. The value is the invocation's service and
 * handler (which never change), so a list filtered by them skips other invocations without reading them.
 */
final class InvocationsByTime {
    private static final int TIME_DIGITS = 19; // Long.MAX_VALUE has 19 digits
    /** Between service and handler in a value: neither name can hold it. */
    private static final char SEPARATOR = '\0';

    private InvocationsByTime() {}

    static String key(long createdAt, String invocationId) {
        return timePrefix(createdAt) + invocationId;
    }

    static String key(InvocationState invocation) {
        return key(invocation.createdAt(), invocation.invocationId().toString());
    }

    static InvocationCursor cursor(String key) {
        return new InvocationCursor(Long.MAX_VALUE - Long.parseLong(key.substring(0, TIME_DIGITS)),
                key.substring(TIME_DIGITS));
    }

    /** The first key strictly after the cursor: appending the smallest character makes the next string. */
    static String after(InvocationCursor cursor) {
        return key(cursor.createdAt(), cursor.invocationId()) + '\0';
    }

    static byte[] value(InvocationState invocation) {
        return (invocation.target().service() + SEPARATOR + invocation.target().handler())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** False when the entry's service or handler rules it out; true when it may match (or does not say). */
    static boolean mayMatch(byte[] value, String service, String handler) {
        if (value == null || value.length == 0 || (service == null && handler == null)) {
            return true;
        }
        String target = new String(value, StandardCharsets.UTF_8);
        int separator = target.indexOf(SEPARATOR);
        if (separator < 0) {
            return true;
        }
        return (service == null || service.equals(target.substring(0, separator)))
                && (handler == null || handler.equals(target.substring(separator + 1)));
    }

    private static String timePrefix(long createdAt) {
        String digits = Long.toString(Long.MAX_VALUE - Math.max(0, createdAt));
        return "0".repeat(TIME_DIGITS - digits.length()) + digits;
    }
}
