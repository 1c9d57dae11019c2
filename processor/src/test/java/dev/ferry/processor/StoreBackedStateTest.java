package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.deployments.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Removing what an attempt leaves behind, against the processor's real stores. A store's {@code delete} returns the
 * old value, so it reads RocksDB for a key no longer in the record cache: behind a backlog of sends those reads were
 * a sixth of the stream thread's (issue 13). Removal must not read.
 */
class StoreBackedStateTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final long T = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();
    private static final InvocationId ID = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "state");

    private TopologyTestDriver driver;
    private final List<String> reads = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        ProcessorSettings settings = new ProcessorSettings(
                Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1)), () -> Registry.EMPTY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, CommandLogAccess.NONE,
                new SimpleMeterRegistry()), TestDrivers.props(TOPICS, "state"), Instant.ofEpochMilli(T));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void removingAnAttemptsInputTimerJournalAndObjectStateReadsNoStore() {
        StoreBackedState state = new StoreBackedState(recorded(ProcessorTopology.INVOCATIONS),
                recorded(ProcessorTopology.INPUTS), recorded(ProcessorTopology.TIMERS),
                recorded(ProcessorTopology.INBOXES), recorded(ProcessorTopology.INBOX_ENTRIES),
                recorded(ProcessorTopology.INVOCATIONS_BY_TIME), recorded(ProcessorTopology.JOURNALS),
                recorded(ProcessorTopology.OBJECT_STATES), recorded(ProcessorTopology.PROMISES));
        Timer lease = new Timer(T + 10_000, Timer.Kind.LEASE, ID, 1);
        state.addTimer(lease);
        state.putInput(ID, new StoredInput("application/json", List.of(), null));
        state.putInboxEntry("Counter/a", 1, ID);
        state.putObjectState("Counter/a", ObjectState.EMPTY.set("count".getBytes(), "1".getBytes()));
        reads.clear();

        state.removeTimer(lease);
        state.deleteInput(ID);
        state.deleteInboxEntry("Counter/a", 1);
        state.putObjectState("Counter/a", ObjectState.EMPTY);
        state.deleteInbox("Counter/a");
        state.deleteJournal(ID);

        assertThat(reads).as("store reads while removing").isEmpty();
        assertThat(state.hasTimer(lease)).isFalse();
        assertThat(state.input(ID)).isNull();
        assertThat(state.inboxEntry("Counter/a", 1)).isNull();
        assertThat(state.objectState("Counter/a").isEmpty()).isTrue();
    }

    /** The driver's store, noting every call that reads a value ({@code get}, and {@code delete}, which returns one). */
    @SuppressWarnings("unchecked")
    private <V> KeyValueStore<String, V> recorded(String name) {
        KeyValueStore<String, V> store = driver.getKeyValueStore(name);
        return (KeyValueStore<String, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("get") || method.getName().equals("delete")) {
                        reads.add(name + "." + method.getName());
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
