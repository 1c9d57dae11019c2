package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.messages.ClearAllStateCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.replies.InvocationStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the admin API's state query reads ({@link ObjectStateReads}, as {@link QueryResponder} calls it): the
 * object-state store of the processor's real topology, written by the journals of SDK attempts piped in as commands.
 */
class ObjectStateReadsTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
    private static final ReplyTo CALLER = new ReplyTo("ingress-1", "r-1");
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment("dp_1test", "http://127.0.0.1:9080",
            0, 1, List.of(new ServiceManifest("Counter", null, ServiceType.VIRTUAL_OBJECT, List.of(
                    new HandlerManifest("add", null, HandlerType.EXCLUSIVE, null, null, null, null, null, null, null,
                            null, null, null, null, null, null, null, null)),
                    null, null, null, null, null, null, null, null, null, null, null, null, null))), 0);

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> log;
    private TestInputTopic<String, byte[]> requests;
    private KeyValueStore<String, ObjectState> objectStates;
    private KeyValueStore<String, InvocationState> invocations;

    @BeforeEach
    void start() throws Exception {
        Properties props = TestDrivers.props(TOPICS, "state-reads");
        Policies sdkServices = new TestPolicies() {
            @Override
            public Integer protocolVersion(Target target) {
                return 5; // every service here is written with an SDK: its state lives in Ferry
            }
        };
        ProcessorSettings settings = new ProcessorSettings(sdkServices, () -> REGISTRY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, CommandLogAccess.NONE,
                new SimpleMeterRegistry()), props, START);
        log = driver.createInputTopic(TOPICS.log(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        requests = driver.createInputTopic(TOPICS.requests(), new StringSerializer(), new ByteArraySerializer(),
                START, Duration.ZERO);
        objectStates = driver.getKeyValueStore(ProcessorTopology.OBJECT_STATES);
        invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static Target counterAdd(String key) {
        return new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);
    }

    private static JournalEntry entry(MessageType type, Message message) {
        return new JournalEntry(type.id(), Payload.of(message.toByteArray()));
    }

    private static JournalEntry set(String key, byte[] value) {
        return entry(MessageType.SET_STATE_COMMAND, SetStateCommandMessage.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setValue(Value.newBuilder().setContent(ByteString.copyFrom(value)).build()).build());
    }

    private static JournalEntry output() {
        return entry(MessageType.OUTPUT_COMMAND, OutputCommandMessage.newBuilder()
                .setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8("null")).build()).build());
    }

    /** One invocation of Counter/{key}.add whose single attempt journals {@code entries} and ends. */
    private InvocationId runAttempt(String key, JournalEntry... entries) {
        InvocationId id = InvocationId.random(Routing.partitionKey(key));
        Invoke invoke = new Invoke(id, counterAdd(key), null, "application/json", List.of(), Payload.ofUtf8("1"), null,
                null, false, CALLER, false, START.toEpochMilli(), null);
        pipe(requests, invoke);
        assertThat(invocations.get(id.toString()).status()).as("dispatched").isEqualTo(InvocationStatus.RUNNING);
        List<JournalEntry> journal = new ArrayList<>(List.of(entries));
        journal.add(output());
        pipe(log, new JournalAppend(id, 1, journal, AttemptEnd.ended()));
        InvocationState after = invocations.get(id.toString());
        assertThat(after == null || after.status() == InvocationStatus.COMPLETED).as("the attempt ended it").isTrue();
        return id;
    }

    private static void pipe(TestInputTopic<String, byte[]> topic, Command command) {
        topic.pipeInput(command.invocationId().toString(), Json.write(command));
    }

    private List<StateEntry> read(String service, String key) {
        return ObjectStateReads.entries(objectStates, service, key);
    }

    private static String text(Payload payload) {
        return new String(payload.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theStateAnAttemptSetIsWhatTheQueryReadsForThatKeyOnly() {
        byte[] binary = {(byte) 0xff, 0, 7};
        runAttempt("mary", set("count", "42".getBytes(StandardCharsets.UTF_8)), set("blob", binary),
                set("count", "43".getBytes(StandardCharsets.UTF_8)));

        List<StateEntry> state = read("Counter", "mary");
        assertThat(state).extracting(entry -> text(entry.key())).containsExactly("count", "blob");
        assertThat(text(state.get(0).value())).isEqualTo("43");
        assertThat(state.get(1).value().bytes()).isEqualTo(binary);

        assertThat(read("Counter", "john")).as("another key").isEmpty();
        assertThat(read("Other", "mary")).as("the same key of another service").isEmpty();
    }

    @Test
    void aClearedStateReadsLikeOneThatNeverWas() {
        runAttempt("mary", set("count", "1".getBytes(StandardCharsets.UTF_8)));
        assertThat(read("Counter", "mary")).hasSize(1);

        runAttempt("mary", entry(MessageType.CLEAR_ALL_STATE_COMMAND, ClearAllStateCommandMessage.getDefaultInstance()));

        assertThat(read("Counter", "mary")).isEmpty();
        assertThat(objectStates.get("Counter/mary")).as("nothing left in the store").isNull();
    }
}
