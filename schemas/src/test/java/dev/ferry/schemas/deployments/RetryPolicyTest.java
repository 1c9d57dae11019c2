package dev.ferry.schemas.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    @Test
    void defaultDelaysDoubleFromHalfASecond() {
        assertThat(POLICY.delayAfter(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(POLICY.delayAfter(2)).isEqualTo(Duration.ofMillis(1000));
        assertThat(POLICY.delayAfter(3)).isEqualTo(Duration.ofMillis(2000));
        assertThat(POLICY.delayAfter(7)).isEqualTo(Duration.ofMillis(32000));
    }

    @Test
    void defaultDelaysAreCappedAtOneMinute() {
        assertThat(POLICY.delayAfter(8)).isEqualTo(Duration.ofMillis(60000));
        assertThat(POLICY.delayAfter(69)).isEqualTo(Duration.ofMillis(60000));
    }

    @Test
    void defaultPolicyIsExhaustedAfterSeventyAttempts() {
        assertThat(POLICY.exhaustedAfter(69)).isFalse();
        assertThat(POLICY.exhaustedAfter(70)).isTrue();
    }

    @Test
    void policyWithoutAttemptLimitIsNeverExhausted() {
        RetryPolicy unlimited = new RetryPolicy(
                Duration.ofMillis(500), 2.0, Duration.ofMinutes(1), null, RetryPolicy.OnMaxAttempts.KILL);

        assertThat(unlimited.exhaustedAfter(Integer.MAX_VALUE)).isFalse();
    }
}
