package dev.ferry.schemas;

import java.util.Arrays;

/**
 * Fixed-width base62 encoding of unsigned numbers as Restate writes them inside its ids: Restate's digit order
 * (digits, lower case, upper case), most significant digit first, left-padded with '0'. Fixed width keeps every
 * id of a kind the same length.
 *
 * <p>Numbers are worked on as unsigned 32-bit limbs, most significant first, rather than as {@code BigInteger}s: an
 * id becomes text wherever it leaves the JVM (every record, store key and header), so this is on every path.
 */
final class Base62 {
    static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** Digits for any unsigned 64-bit value: 62^11 > 2^64. */
    static final int U64_WIDTH = 11;
    /** Digits for any unsigned 128-bit value: 62^22 > 2^128. */
    static final int U128_WIDTH = 22;

    private static final int BASE = 62;
    private static final long LIMB_MASK = 0xFFFF_FFFFL;
    /** The value of each ASCII character as a digit; -1 for one outside the alphabet. */
    private static final byte[] DIGITS = new byte[128];

    static {
        Arrays.fill(DIGITS, (byte) -1);
        for (int digit = 0; digit < BASE; digit++) {
            DIGITS[ALPHABET.charAt(digit)] = (byte) digit;
        }
    }

    private Base62() {}

    static void appendU64(StringBuilder out, long value) {
        append(out, new int[] {(int) (value >>> 32), (int) value}, U64_WIDTH);
    }

    static void appendU128(StringBuilder out, long high, long low) {
        append(out, new int[] {(int) (high >>> 32), (int) high, (int) (low >>> 32), (int) low}, U128_WIDTH);
    }

    /** @throws IllegalArgumentException on a character outside the alphabet or a value of 2^64 or more */
    static long parseU64(CharSequence text, int from) {
        int[] limbs = parse(text, from, U64_WIDTH, 2);
        return toLong(limbs[0], limbs[1]);
    }

    /** Returns {high, low}; @throws IllegalArgumentException as {@link #parseU64} for 2^128 */
    static long[] parseU128(CharSequence text, int from) {
        int[] limbs = parse(text, from, U128_WIDTH, 4);
        return new long[] {toLong(limbs[0], limbs[1]), toLong(limbs[2], limbs[3])};
    }

    /** Divides the limbs by 62 once per digit, least significant digit first (the limbs end up zero). */
    private static void append(StringBuilder out, int[] limbs, int width) {
        char[] digits = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            long remainder = 0;
            for (int j = 0; j < limbs.length; j++) {
                long current = (remainder << 32) | (limbs[j] & LIMB_MASK); // below 62 * 2^32: no overflow
                limbs[j] = (int) (current / BASE);
                remainder = current % BASE;
            }
            digits[i] = ALPHABET.charAt((int) remainder);
        }
        out.append(digits);
    }

    private static int[] parse(CharSequence text, int from, int width, int limbCount) {
        int[] limbs = new int[limbCount];
        boolean outOfRange = false;
        for (int i = from; i < from + width; i++) {
            char c = text.charAt(i);
            int digit = c < DIGITS.length ? DIGITS[c] : -1;
            if (digit < 0) {
                throw new IllegalArgumentException("invalid base62 digit '" + c + "'");
            }
            long carry = digit;
            for (int j = limbCount - 1; j >= 0; j--) {
                long current = (limbs[j] & LIMB_MASK) * BASE + carry;
                limbs[j] = (int) current;
                carry = current >>> 32;
            }
            outOfRange |= carry != 0;
        }
        if (outOfRange) {
            throw new IllegalArgumentException("number out of range");
        }
        return limbs;
    }

    private static long toLong(int high, int low) {
        return ((long) high << 32) | (low & LIMB_MASK);
    }
}
