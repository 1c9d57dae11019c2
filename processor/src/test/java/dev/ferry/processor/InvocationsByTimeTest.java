package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.replies.InvocationCursor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvocationsByTimeTest {
    /** The stores compare keys as their UTF-8 bytes, unsigned: the order that counts. */
    private static int compareAsStored(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keysSortNewestFirstThenByIdWhateverTheNumberOfDigits() {
        List<String> listingOrder = List.of(
                InvocationsByTime.key(Long.MAX_VALUE, "inv_1a"),
                InvocationsByTime.key(1_764_600_000_000L, "inv_1a"),
                InvocationsByTime.key(1_764_600_000_000L, "inv_1b"),
                InvocationsByTime.key(999_999_999_999L, "inv_1a"),
                InvocationsByTime.key(10, "inv_1z"),
                InvocationsByTime.key(9, "inv_1a"),
                InvocationsByTime.key(0, "inv_1a"));
        assertThat(listingOrder).isSortedAccordingTo(InvocationsByTimeTest::compareAsStored);
        assertThat(listingOrder).allSatisfy(key -> assertThat(key).hasSize(19 + "inv_1a".length()));
    }

    @Test
    void aKeyReadsBackAsTheCursorItWasMadeFrom() {
        InvocationCursor cursor = new InvocationCursor(1_764_600_000_123L, "inv_1lDj0tnWOFH904adcMHYdRZfiEE4KwqfkY");
        assertThat(InvocationsByTime.cursor(InvocationsByTime.key(cursor.createdAt(), cursor.invocationId())))
                .isEqualTo(cursor);
        assertThat(InvocationsByTime.cursor(InvocationsByTime.key(0, "inv_1a"))).isEqualTo(new InvocationCursor(0, "inv_1a"));
    }

    @Test
    void afterACursorComesStrictlyAfterItsKeyAndBeforeTheNextOne() {
        InvocationCursor cursor = new InvocationCursor(1_000, "inv_1b");
        String key = InvocationsByTime.key(1_000, "inv_1b");
        String after = InvocationsByTime.after(cursor);
        assertThat(compareAsStored(key, after)).isNegative();
        for (String next : List.of(InvocationsByTime.key(1_000, "inv_1b0"), InvocationsByTime.key(1_000, "inv_1c"),
                InvocationsByTime.key(999, "inv_1a"))) {
            assertThat(compareAsStored(after, next)).as(next).isNegative();
        }
    }

    @Test
    void theValueRulesOutOtherServicesAndHandlersWithoutReadingTheInvocation() {
        InvocationState invocation = InvocationState.created(InvocationId.random(1),
                dev.ferry.schemas.Target.service("Greeter", "greet"), null, "hash", null, null, 5);
        byte[] value = InvocationsByTime.value(invocation);
        assertThat(InvocationsByTime.mayMatch(value, null, null)).isTrue();
        assertThat(InvocationsByTime.mayMatch(value, "Greeter", null)).isTrue();
        assertThat(InvocationsByTime.mayMatch(value, "Greeter", "greet")).isTrue();
        assertThat(InvocationsByTime.mayMatch(value, null, "greet")).isTrue();
        assertThat(InvocationsByTime.mayMatch(value, "Counter", null)).isFalse();
        assertThat(InvocationsByTime.mayMatch(value, "Greeter", "greetings")).isFalse();
        assertThat(InvocationsByTime.mayMatch(value, null, "gree")).isFalse();
        assertThat(InvocationsByTime.mayMatch(new byte[0], "Counter", "add")).as("a value that says nothing").isTrue();
    }

    @Test
    void aBareTimeCursorStartsAtThatMillisecond() {
        assertThat(InvocationCursor.parse("1000")).isEqualTo(new InvocationCursor(1_000, ""));
        assertThat(InvocationCursor.parse("1000~inv_1b").toString()).isEqualTo("1000~inv_1b");
        assertThat(compareAsStored(InvocationsByTime.after(InvocationCursor.parse("1000")),
                InvocationsByTime.key(1_000, "inv_1a"))).isNegative();
    }
}
