package dev.ferry.processor;

import dev.ferry.schemas.InvocationCursor;

/**
 * The keys of the {@code invocations-by-time} index: {@code Long.MAX_VALUE - createdAt} as 19 digits, then the
 * invocation id. Ascending key order is the listing order (newest first, then by id), so a range scan from a
 * cursor reads the next page without looking at anything before it.
 */
final class InvocationsByTime {
    private static final int TIME_DIGITS = 19; // Long.MAX_VALUE has 19 digits

    private InvocationsByTime() {}

    static String key(long createdAt, String invocationId) {
        return timePrefix(createdAt) + invocationId;
    }

    static String key(InvocationState invocation) {
        return key(invocation.createdAt(), invocation.invocationId());
    }

    static InvocationCursor cursor(String key) {
        return new InvocationCursor(Long.MAX_VALUE - Long.parseLong(key.substring(0, TIME_DIGITS)),
                key.substring(TIME_DIGITS));
    }

    /** The first key strictly after the cursor: appending the smallest character makes the next string. */
    static String after(InvocationCursor cursor) {
        return key(cursor.createdAt(), cursor.invocationId()) + '\0';
    }

    private static String timePrefix(long createdAt) {
        String digits = Long.toString(Long.MAX_VALUE - Math.max(0, createdAt));
        return "0".repeat(TIME_DIGITS - digits.length()) + digits;
    }
}
