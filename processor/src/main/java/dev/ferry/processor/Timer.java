package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;

/**
 * A wake-up for one invocation at a wall-clock time. Timers only say "look at this invocation now": what
 * happens is decided from the invocation's state when the timer fires, so a timer that is no longer relevant
 * (a lease that was renewed, an attempt that already ended) does nothing.
 *
 * <p>In the timers store a timer is a key alone, {@code <due as 16 hex digits>/<kind>/<invocation id>/<attempt>},
 * so the store sorts by due time and one range scan finds every due timer.
 */
public record Timer(long due, Kind kind, InvocationId invocationId, int attempt) {
    public enum Kind {
        /** A delayed invocation reaches its start time. */
        START,
        /** A backing-off invocation's next attempt is due. */
        RETRY,
        /** The lease of a running attempt ends unless it was renewed. */
        LEASE,
        /** A completed invocation's retention ends. */
        EXPIRE,
        /**
         * A handler written with a Restate SDK wakes from {@code ctx.sleep}: the timer's {@code attempt} holds the
         * sleep's completion id.
         */
        SLEEP
    }

    private static final int DUE_DIGITS = 16;

    public String key() {
        return dueKey(due) + "/" + kind + "/" + invocationId + "/" + attempt;
    }

    /** The key of every timer due at {@code time}, or before it when used as the upper bound of a scan. */
    public static String dueKey(long time) {
        String hex = Long.toHexString(Math.max(0, time));
        return "0".repeat(DUE_DIGITS - hex.length()) + hex;
    }

    public static Timer parse(String key) {
        String[] parts = key.split("/", 4);
        if (parts.length != 4 || parts[0].length() != DUE_DIGITS) {
            throw new IllegalArgumentException("not a timer key: " + key);
        }
        return new Timer(Long.parseLong(parts[0], 16), Kind.valueOf(parts[1]), InvocationId.parse(parts[2]),
                Integer.parseInt(parts[3]));
    }
}
