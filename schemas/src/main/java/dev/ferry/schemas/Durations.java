package dev.ferry.schemas;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Restate users write them: humantime text ({@code 500ms}, {@code 10s}, {@code 1m}, {@code 1 m},
 * {@code 1h 30m}, {@code 1d}, {@code 0}) or ISO 8601 ({@code PT10S}, {@code PT0.5S}, {@code P1D}); and Restate's
 * compact way of printing them ({@code 1d}, {@code 1m}, {@code 500ms}, {@code 1d 12h 4m 2s}).
 *
 * <p>ISO 8601 is parsed by {@link Duration#parse}. The humantime grammar is small and has no maintained Java
 * library, so it is parsed here, following the Rust humantime crate's units; months and years are refused, as
 * Restate refuses them.
 */
public final class Durations {
    private static final Pattern HUMAN_PART = Pattern.compile("\\s*(\\d+)\\s*([a-zA-Zµ]+)\\s*");
    private static final Map<String, Duration> UNITS = Map.ofEntries(
            Map.entry("ns", Duration.ofNanos(1)),
            Map.entry("nsec", Duration.ofNanos(1)),
            Map.entry("us", Duration.ofNanos(1_000)),
            Map.entry("µs", Duration.ofNanos(1_000)),
            Map.entry("usec", Duration.ofNanos(1_000)),
            Map.entry("ms", Duration.ofMillis(1)),
            Map.entry("msec", Duration.ofMillis(1)),
            Map.entry("millis", Duration.ofMillis(1)),
            Map.entry("s", Duration.ofSeconds(1)),
            Map.entry("sec", Duration.ofSeconds(1)),
            Map.entry("secs", Duration.ofSeconds(1)),
            Map.entry("second", Duration.ofSeconds(1)),
            Map.entry("seconds", Duration.ofSeconds(1)),
            Map.entry("m", Duration.ofMinutes(1)),
            Map.entry("min", Duration.ofMinutes(1)),
            Map.entry("mins", Duration.ofMinutes(1)),
            Map.entry("minute", Duration.ofMinutes(1)),
            Map.entry("minutes", Duration.ofMinutes(1)),
            Map.entry("h", Duration.ofHours(1)),
            Map.entry("hr", Duration.ofHours(1)),
            Map.entry("hrs", Duration.ofHours(1)),
            Map.entry("hour", Duration.ofHours(1)),
            Map.entry("hours", Duration.ofHours(1)),
            Map.entry("d", Duration.ofDays(1)),
            Map.entry("day", Duration.ofDays(1)),
            Map.entry("days", Duration.ofDays(1)),
            Map.entry("w", Duration.ofDays(7)),
            Map.entry("week", Duration.ofDays(7)),
            Map.entry("weeks", Duration.ofDays(7)));

    private static final String NEGATIVE = "negative signed durations cannot be converted to an unsigned duration";

    /**
     * The largest duration Ferry accepts anywhere (a delay, a wait, a retention, a timeout): 100 years. Durations
     * become epoch milliseconds ({@code now + d}) in timers and records, and {@code Long.MAX_VALUE} milliseconds is
     * only about 292 million years, so a huge delay would overflow into the past and run at once. 100 years keeps
     * every such sum far from overflow (and within four-digit years), while any real delay or retention, a year or
     * ten, fits.
     */
    public static final Duration MAX = Duration.ofDays(36_500);

    private Durations() {}

    /**
     * Parses humantime or ISO 8601 text.
     *
     * @throws IllegalArgumentException saying what is wrong, for empty, negative or malformed text, and for
     *     durations longer than {@link #MAX}
     */
    public static Duration parse(String text) {
        Duration duration = parseUnbounded(text);
        if (duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(tooLarge(text));
        }
        return duration;
    }

    private static String tooLarge(String text) {
        return "invalid duration '" + text + "': longer than " + format(MAX) + " (100 years), the largest Ferry"
                + " accepts";
    }

    private static Duration parseUnbounded(String text) {
        // The messages for empty, negative and number-less text are Restate's own (its duration parser's).
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty string is not a valid duration in either the ISO 8601 "
                    + "format or Jiff's \"friendly\" format");
        }
        String trimmed = text.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        if (trimmed.startsWith("P") || trimmed.startsWith("p") || trimmed.startsWith("-P")) {
            return parseIso(trimmed);
        }
        if (trimmed.startsWith("-")) {
            throw new IllegalArgumentException(NEGATIVE);
        }
        if (!Character.isDigit(trimmed.charAt(0)) && trimmed.charAt(0) != '+') {
            throw new IllegalArgumentException("failed to parse input in the \"friendly\" duration format: expected "
                    + "duration to start with a unit value (a decimal integer) after an optional sign, but no integer"
                    + " was found");
        }
        if (trimmed.charAt(0) == '+') {
            trimmed = trimmed.substring(1);
        }
        Matcher matcher = HUMAN_PART.matcher(trimmed);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < trimmed.length()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new IllegalArgumentException("invalid duration '" + text + "': expected a number and a unit"
                        + " such as 500ms, 10s, 1m, 2h, 1d, or ISO 8601 such as PT10S");
            }
            String unitName = matcher.group(2);
            Duration unit = UNITS.get(unitName);
            if (unit == null) {
                unit = UNITS.get(unitName.toLowerCase(Locale.ROOT));
            }
            if (unit == null) {
                throw new IllegalArgumentException("invalid duration '" + text + "': unknown unit '" + unitName
                        + "' (use ns, us, ms, s, m, h, d or w; months and years are not supported)");
            }
            try {
                total = total.plus(unit.multipliedBy(Long.parseLong(matcher.group(1))));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(tooLarge(text));
            }
            at = matcher.end();
        }
        return total;
    }

    private static Duration parseIso(String text) {
        if (text.contains("Y") || text.contains("y") || monthsPart(text)) {
            throw new IllegalArgumentException("invalid duration '" + text + "': please use units of days or smaller");
        }
        Duration duration;
        try {
            duration = Duration.parse(text);
        } catch (DateTimeParseException e) {
            if (e.getCause() instanceof ArithmeticException) {
                throw new IllegalArgumentException(tooLarge(text));
            }
            throw new IllegalArgumentException("invalid ISO 8601 duration '" + text + "'");
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException(NEGATIVE);
        }
        return duration;
    }

    /** An M before the T of an ISO 8601 duration means months. */
    private static boolean monthsPart(String text) {
        int t = text.toUpperCase(Locale.ROOT).indexOf('T');
        String datePart = t < 0 ? text : text.substring(0, t);
        return datePart.toUpperCase(Locale.ROOT).contains("M");
    }

    /** Restate's compact form: the largest units first, days the largest, e.g. {@code 1d 12h 4m 2s}, {@code 500ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long days = duration.toDays();
        append(out, days, "d");
        append(out, duration.toHoursPart(), "h");
        append(out, duration.toMinutesPart(), "m");
        append(out, duration.toSecondsPart(), "s");
        append(out, duration.toMillisPart(), "ms");
        int nanos = duration.toNanosPart() % 1_000_000;
        append(out, nanos / 1_000, "us");
        append(out, nanos % 1_000, "ns");
        return out.toString();
    }

    private static void append(StringBuilder out, long amount, String unit) {
        if (amount == 0) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(' ');
        }
        out.append(amount).append(unit);
    }
}
