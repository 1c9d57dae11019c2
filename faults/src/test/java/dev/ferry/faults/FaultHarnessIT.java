package dev.ferry.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The fault harness at CI size (about three minutes): three brokers, two processors, two dispatchers and two ingresses
 * as processes, {@code faults.duration} seconds (75) of load with faults, the broker-loss scenario first. Every
 * must-be-zero count of the {@link Checker} is zero, and Ferry recovers from losing the command log's leading broker
 * without a restart. Longer runs: {@code faults/run --runs 10 --duration 120}.
 */
class FaultHarnessIT {
    @Test
    void ferryKeepsItsGuaranteesUnderFaults() throws Exception {
        long seconds = Long.getLong("faults.duration", 75);
        Path dir = Path.of(System.getProperty("faults.dir", "target/faults"));
        long seed = Long.getLong("faults.seed", System.currentTimeMillis());
        FaultRun.Options options = new FaultRun.Options(Duration.ofSeconds(seconds), 4, 4, 0.02, seed,
                Cluster.Spec.standard(), false);
        List<FaultRun.Result> results = FaultRunner.runAll(1, dir, options);
        FaultRun.Result result = results.get(0);

        assertThat(result.error()).as("the run completes (see %s)", result.dir()).isNull();
        SoftAssertions soft = new SoftAssertions();
        for (String count : Checker.REQUIRED_ZERO) {
            soft.assertThat(result.check().counts().get(count).n()).as("%s: %s", count,
                    result.check().counts().get(count).examples()).isZero();
        }
        for (String count : Checker.ALSO_ZERO) {
            soft.assertThat(result.check().counts().get(count).n()).as("%s: %s", count,
                    result.check().counts().get(count).examples()).isZero();
        }
        soft.assertThat(result.brokerLoss()).as("the broker-loss scenario ran").isNotNull();
        if (result.brokerLoss() != null) {
            soft.assertThat(result.brokerLoss().recovered())
                    .as("Ferry answers again after losing %s, with no role restarted", result.brokerLoss().broker())
                    .isTrue();
        }
        soft.assertThat(result.check().stats().get("acknowledged adds")).as("the load made progress")
                .isGreaterThan(50);
        soft.assertAll();
    }
}
