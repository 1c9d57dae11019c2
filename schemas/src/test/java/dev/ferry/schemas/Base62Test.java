package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The limb arithmetic against the obvious {@code BigInteger} reading of the same text. */
class Base62Test {
    private static final BigInteger BASE = BigInteger.valueOf(62);

    @RepeatedTest(200)
    void encodesAsBigIntegerArithmeticDoes() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long partitionKey = random.nextLong();
        long high = random.nextBoolean() ? random.nextLong() : random.nextLong(100);
        long low = random.nextLong();
        StringBuilder u64 = new StringBuilder();
        Base62.appendU64(u64, partitionKey);
        StringBuilder u128 = new StringBuilder();
        Base62.appendU128(u128, high, low);

        assertThat(u64.toString()).isEqualTo(reference(unsigned(partitionKey), Base62.U64_WIDTH));
        assertThat(u128.toString())
                .isEqualTo(reference(unsigned(high).shiftLeft(64).or(unsigned(low)), Base62.U128_WIDTH));
        assertThat(Base62.parseU64(u64, 0)).isEqualTo(partitionKey);
        assertThat(Base62.parseU128(u128, 0)).containsExactly(high, low);
    }

    @Test
    void theLargestValuesParseAndOneMoreIsOutOfRange() {
        String maxU64 = reference(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), Base62.U64_WIDTH);
        String maxU128 = reference(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE), Base62.U128_WIDTH);

        assertThat(Base62.parseU64(maxU64, 0)).isEqualTo(-1L);
        assertThat(Base62.parseU128(maxU128, 0)).containsExactly(-1L, -1L);
        assertThatThrownBy(() -> Base62.parseU64(reference(BigInteger.ONE.shiftLeft(64), Base62.U64_WIDTH), 0))
                .hasMessage("number out of range");
        assertThatThrownBy(() -> Base62.parseU128(reference(BigInteger.ONE.shiftLeft(128), Base62.U128_WIDTH), 0))
                .hasMessage("number out of range");
        assertThatThrownBy(() -> Base62.parseU64("ZZZZZZZZZZZ", 0)).hasMessage("number out of range");
        assertThatThrownBy(() -> Base62.parseU64("0000000000-", 0)).hasMessage("invalid base62 digit '-'");
        assertThatThrownBy(() -> Base62.parseU64("0000000000\u00e9", 0)).hasMessage("invalid base62 digit '\u00e9'");
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    private static String reference(BigInteger value, int width) {
        StringBuilder digits = new StringBuilder();
        BigInteger rest = value;
        for (int i = 0; i < width; i++) {
            BigInteger[] qr = rest.divideAndRemainder(BASE);
            digits.append(Base62.ALPHABET.charAt(qr[1].intValue()));
            rest = qr[0];
        }
        return digits.reverse().toString();
    }
}
