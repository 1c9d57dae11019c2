package dev.ferry.schemas;

import java.math.BigInteger;

/**
 * Fixed-width base62 encoding of unsigned numbers as Restate writes them inside its ids: Restate's digit order
 * (digits, lower case, upper case), most significant digit first, left-padded with '0'. Fixed width keeps every
 * id of a kind the same length.
 */
final class Base62 {
    static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** Digits for any unsigned 64-bit value: 62^11 > 2^64. */
    static final int U64_WIDTH = 11;
    /** Digits for any unsigned 128-bit value: 62^22 > 2^128. */
    static final int U128_WIDTH = 22;

    private static final BigInteger BASE = BigInteger.valueOf(62);
    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger U128_LIMIT = BigInteger.ONE.shiftLeft(128);

    private Base62() {}

    static void appendU64(StringBuilder out, long value) {
        append(out, new BigInteger(Long.toUnsignedString(value)), U64_WIDTH);
    }

    static void appendU128(StringBuilder out, long high, long low) {
        append(out, toU128(high, low), U128_WIDTH);
    }

    /** @throws IllegalArgumentException on a character outside the alphabet or a value of 2^64 or more */
    static long parseU64(CharSequence text, int from) {
        return parse(text, from, U64_WIDTH, U64_LIMIT).longValue();
    }

    /** Returns {high, low}; @throws IllegalArgumentException as {@link #parseU64} for 2^128 */
    static long[] parseU128(CharSequence text, int from) {
        BigInteger value = parse(text, from, U128_WIDTH, U128_LIMIT);
        return new long[] {value.shiftRight(64).longValue(), value.longValue()};
    }

    private static void append(StringBuilder out, BigInteger value, int width) {
        char[] digits = new char[width];
        BigInteger rest = value;
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = rest.divideAndRemainder(BASE);
            digits[i] = ALPHABET.charAt(qr[1].intValue());
            rest = qr[0];
        }
        out.append(digits);
    }

    private static BigInteger parse(CharSequence text, int from, int width, BigInteger limit) {
        BigInteger value = BigInteger.ZERO;
        for (int i = from; i < from + width; i++) {
            int digit = ALPHABET.indexOf(text.charAt(i));
            if (digit < 0) {
                throw new IllegalArgumentException("invalid base62 digit '" + text.charAt(i) + "'");
            }
            value = value.multiply(BASE).add(BigInteger.valueOf(digit));
        }
        if (value.compareTo(limit) >= 0) {
            throw new IllegalArgumentException("number out of range");
        }
        return value;
    }

    private static BigInteger toU128(long high, long low) {
        return new BigInteger(Long.toUnsignedString(high)).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(low)));
    }
}
