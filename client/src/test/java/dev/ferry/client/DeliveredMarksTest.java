package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.HandOverMark;
import org.junit.jupiter.api.Test;

class DeliveredMarksTest {
    private static final long IDLE = DeliveredMarks.IDLE.toMillis();

    @Test
    void aMarkReadBackCountsOnceAndEarlierMarksOfItsProducerAreForgotten() {
        DeliveredMarks marks = new DeliveredMarks(10);
        marks.add(new HandOverMark(1, 1), 0);
        marks.add(new HandOverMark(1, 2), 0);
        marks.add(new HandOverMark(1, 3), 0);

        // Mark 1 never reached the topic (its send failed): reading 2 back says 2 was delivered, and forgets 1.
        assertThat(marks.readBack(new HandOverMark(1, 2), 1)).isTrue();
        assertThat(marks.size()).isEqualTo(1);
        assertThat(marks.readBack(new HandOverMark(1, 2), 1)).isFalse();
        assertThat(marks.readBack(new HandOverMark(2, 3), 1)).isFalse(); // another producer's
        assertThat(marks.readBack(new HandOverMark(1, 3), 1)).isTrue();
        assertThat(marks.size()).isZero();
    }

    @Test
    void theLastMarksOfAProducerThatDiedDoNotKeepTheHandOverOffForGood() {
        DeliveredMarks marks = new DeliveredMarks(3);
        // A producer hands over three replies and dies before any reaches the topic.
        for (long sequence = 1; sequence <= 3; sequence++) {
            assertThat(marks.add(new HandOverMark(1, sequence), 0)).isTrue();
        }
        // Its successor's replies are left to the poll loop while the bound is reached...
        assertThat(marks.add(new HandOverMark(2, 1), IDLE - 1)).isFalse();
        // ...until the dead producer has been idle long enough.
        assertThat(marks.add(new HandOverMark(2, 1), IDLE)).isTrue();
        assertThat(marks.size()).isEqualTo(1);
        assertThat(marks.readBack(new HandOverMark(2, 1), IDLE + 1)).isTrue();
    }

    @Test
    void aProducerReadBackLatelyKeepsItsMarks() {
        DeliveredMarks marks = new DeliveredMarks(10);
        marks.add(new HandOverMark(1, 1), 0);
        marks.add(new HandOverMark(1, 2), 0);
        marks.add(new HandOverMark(1, 3), 0);
        assertThat(marks.readBack(new HandOverMark(1, 1), IDLE - 10)).isTrue();

        marks.forgetIdle(IDLE + 1);
        assertThat(marks.size()).isEqualTo(2);
        assertThat(marks.readBack(new HandOverMark(1, 2), IDLE + 2)).isTrue();

        marks.forgetIdle(2 * IDLE + 2);
        assertThat(marks.size()).isZero();
        assertThat(marks.readBack(new HandOverMark(1, 3), 2 * IDLE + 3)).isFalse();
    }
}
