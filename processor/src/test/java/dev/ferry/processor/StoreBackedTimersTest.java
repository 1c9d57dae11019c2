package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.deployments.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The timer scan against the processor's real stores (RocksDB behind Kafka Streams' record cache, in its test
 * driver). A scan looks only a bounded way ahead for the next timer, so these check that no timer is found late or
 * twice however far ahead it lies, and whenever it was added.
 */
class StoreBackedTimersTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final long T = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();
    private static final Target GREET = Target.service("Greeter", "greet");

    private TopologyTestDriver driver;
    private StoreBackedState state;

    @BeforeEach
    void start() throws Exception {
        Properties props = TestDrivers.props(TOPICS, "timers");
        ProcessorSettings settings = new ProcessorSettings(
                Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1)), () -> Registry.EMPTY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, CommandLogAccess.NONE,
                new SimpleMeterRegistry()), props, Instant.ofEpochMilli(T));
        state = TestDrivers.storeBackedState(driver);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static Timer timer(long due, String name) {
        InvocationId id = InvocationIds.forSubmission(GREET, name);
        return new Timer(due, Timer.Kind.START, id, 0);
    }

    /** Scans every tick of 20 ms from {@code from} to {@code to}, as the processor does, and collects what is due. */
    private List<Timer> tickFromTo(long from, long to) {
        List<Timer> fired = new java.util.ArrayList<>();
        for (long now = from; now <= to; now += 20) {
            for (Timer due : state.dueTimers(now, StateMachine.TIMERS_PER_TICK)) {
                assertThat(due.due()).as("not before it is due").isLessThanOrEqualTo(now);
                assertThat(now - due.due()).as("within a tick of its time").isLessThan(20);
                state.removeTimer(due);
                fired.add(due);
            }
        }
        return fired;
    }

    @Test
    void aTimerFarBeyondTheLookAheadFiresOnTimeAndOnce() {
        Timer inAnHour = timer(T + Duration.ofHours(1).toMillis(), "hour");
        Timer inFiveSeconds = timer(T + 5_000, "five");
        state.addTimer(inAnHour);
        state.addTimer(inFiveSeconds);

        assertThat(tickFromTo(T, T + 10_000)).containsExactly(inFiveSeconds);
        assertThat(tickFromTo(T + 10_020, T + Duration.ofHours(1).toMillis() + 1_000)).containsExactly(inAnHour);
    }

    @Test
    void aTimerAddedAfterAScanFoundNothingAheadFiresOnTime() {
        assertThat(tickFromTo(T, T + 100)).isEmpty();
        Timer soon = timer(T + 400, "soon");
        state.addTimer(soon);
        Timer later = timer(T + 3_300, "later");
        state.addTimer(later);

        assertThat(tickFromTo(T + 120, T + 5_000)).containsExactly(soon, later);
    }

    @Test
    void timersRemovedBeforeTheirTimeLeaveNothingToFire() {
        Timer removed = timer(T + 200, "removed");
        Timer kept = timer(T + 2_500, "kept");
        state.addTimer(removed);
        state.addTimer(kept);
        state.removeTimer(removed);

        assertThat(tickFromTo(T, T + 3_000)).containsExactly(kept);
    }
}
