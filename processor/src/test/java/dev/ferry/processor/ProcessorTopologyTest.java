package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.ferry.schemas.DeadLetters;
import dev.ferry.schemas.Dispatch;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.ServiceType;
import dev.ferry.schemas.registry.Deployment;
import dev.ferry.schemas.registry.HandlerManifest;
import dev.ferry.schemas.registry.ServiceManifest;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Outcome;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.RetryPolicy;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.command.Command;
import dev.ferry.schemas.command.Completion;
import dev.ferry.schemas.command.Invoke;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The processor's topology with Kafka Streams' test driver: records in, records out, wall-clock time by hand. */
class ProcessorTopologyTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment("dp_1test", "http://127.0.0.1:9080",
            0, 1, List.of(new ServiceManifest("Greeter", null, ServiceType.SERVICE, List.of(
                    new HandlerManifest("greet", null, null, null, null, null, null, null, null, null, null, null,
                            null, null, null, null, null, null)),
                    null, null, null, null, null, null, null, null, null, null, null, null, null))), 0);

    private Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> log;
    private TestOutputTopic<String, byte[]> dispatch;
    private TestOutputTopic<String, byte[]> replies;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() throws Exception {
        stateDir = Files.createTempDirectory("ferry-topology-test");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, TOPICS.processorApplicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // The test driver's topics have one partition: every command is on its partition.
        ProcessorSettings settings = new ProcessorSettings(
                Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1)), () -> REGISTRY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, new SimpleMeterRegistry()), props, START);
        log = driver.createInputTopic(TOPICS.log(), new StringSerializer(), new ByteArraySerializer());
        dispatch = driver.createOutputTopic(TOPICS.dispatch(), new StringDeserializer(), new ByteArrayDeserializer());
        replies = driver.createOutputTopic(TOPICS.replies(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(
                TOPICS.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aCallFlowsFromTheLogToADispatchAndItsCompletionToAReply() {
        Invoke call = call(null);
        pipe(call);

        TestRecord<String, byte[]> dispatched = dispatch.readRecord();
        assertThat(dispatched.key()).as("keyed by invocation and attempt").isEqualTo(call.invocationId() + "/1");
        Dispatch attempt = Json.readTrusted(dispatched.value(), Dispatch.class);
        assertThat(attempt.attempt()).isEqualTo(1);
        assertThat(attempt.body().utf8()).isEqualTo("{\"name\":\"Mary\"}");

        pipe(new Completion(call.invocationId(), 1,
                Outcome.success(200, "application/json", Payload.ofUtf8("{\"greeting\":\"Hello Mary\"}"))));
        TestRecord<String, byte[]> replied = replies.readRecord();
        assertThat(replied.key()).as("keyed by the waiting ingress instance").isEqualTo("ingress-1");
        Reply reply = Json.readTrusted(replied.value(), Reply.class);
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.invocationId()).isEqualTo(call.invocationId());
        assertThat(reply.outcome().success().body().utf8()).isEqualTo("{\"greeting\":\"Hello Mary\"}");

        KeyValueStore<String, InvocationState> invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);
        assertThat(invocations.get(call.invocationId()).status()).isEqualTo(InvocationStatus.COMPLETED);
    }

    @Test
    void aRecordThatIsNotACommandGoesToTheDeadLetterTopicAndTheNextOneRuns() {
        log.pipeInput("some-key", "{not a command".getBytes(StandardCharsets.UTF_8));
        Invoke call = call(null);
        pipe(call);

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo("some-key");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not a command");
        Header reason = dead.headers().lastHeader(DeadLetters.REASON);
        assertThat(new String(reason.value(), StandardCharsets.UTF_8)).startsWith("not a valid command");
        assertThat(new String(dead.headers().lastHeader(DeadLetters.TOPIC).value(), StandardCharsets.UTF_8))
                .isEqualTo(TOPICS.log());

        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .isEqualTo(call.invocationId());
    }

    @Test
    void aDelayedSendIsDispatchedByTheWallClockPunctuator() {
        Invoke send = new Invoke(InvocationIds.forSubmission(GREET, null).toString(), GREET, null, null, List.of(),
                Payload.EMPTY, null, START.toEpochMilli() + 5_000, true, null, false, START.toEpochMilli(), null);
        pipe(send);
        assertThat(dispatch.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofMillis(4_900));
        assertThat(dispatch.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .isEqualTo(send.invocationId());
    }

    @Test
    void aResultIsKeptForItsRetentionOnWallClockTimeAlone() {
        Invoke call = call("key-1");
        pipe(call);
        pipe(new Completion(call.invocationId(), 1, Outcome.failure(400, "no")));
        KeyValueStore<String, InvocationState> invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);

        driver.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(invocations.get(call.invocationId())).isNotNull();
        // No record arrives: the punctuator alone ends the retention.
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertThat(invocations.get(call.invocationId())).isNull();
    }

    @Test
    void aDirectProducersInvokeWithoutIdOrTypesRunsAndGetsAnIdFromItsPosition() {
        log.pipeInput("any-key", ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},"
                + "\"body\":{\"name\":\"Kafka\"}}").getBytes(StandardCharsets.UTF_8));

        Dispatch attempt = Json.readTrusted(dispatch.readRecord().value(), Dispatch.class);
        assertThat(attempt.target()).isEqualTo(GREET);
        assertThat(attempt.body().utf8()).isEqualTo("{\"name\":\"Kafka\"}");
        assertThat(InvocationId.parse(attempt.invocationId()).partitionKey())
                .as("the record key's partition key, as the default partitioner placed it")
                .isEqualTo(Routing.partitionKey("any-key"));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aDirectProducersDelayCountsFromTheRecordTimestamp() {
        log.pipeInput("k", ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},"
                + "\"delay\":\"2s\"}").getBytes(StandardCharsets.UTF_8), START);
        assertThat(dispatch.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(2_100));
        assertThat(dispatch.isEmpty()).isFalse();
    }

    @Test
    void recordsForUnknownServicesOrBreakingTheSchemaGoToTheDeadLetterTopicWithTheReason() {
        log.pipeInput("k", "{\"type\":\"Invoke\",\"target\":{\"service\":\"Nope\",\"handler\":\"x\"}}"
                .getBytes(StandardCharsets.UTF_8));
        log.pipeInput("k", "{\"type\":\"Invoke\",\"target\":{\"handler\":\"x\"},\"surprise\":1}"
                .getBytes(StandardCharsets.UTF_8));
        log.pipeInput("k", "{\"type\":\"Teleport\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(reason(deadLetters.readRecord())).isEqualTo("service 'Nope' is not registered");
        assertThat(reason(deadLetters.readRecord())).startsWith("not a valid Invoke (schema ")
                .contains("required property 'service' not found", "'surprise' is not defined");
        assertThat(reason(deadLetters.readRecord())).contains("unknown record type 'Teleport'");
        assertThat(dispatch.isEmpty()).isTrue();
    }

    private static String reason(TestRecord<String, byte[]> deadLetter) {
        return new String(deadLetter.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    }

    private Invoke call(String idempotencyKey) {
        return new Invoke(InvocationIds.forSubmission(GREET, idempotencyKey).toString(), GREET, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("{\"name\":\"Mary\"}"), null, null, false,
                new ReplyTo("ingress-1", "req-1"), false, START.toEpochMilli(), null);
    }

    private void pipe(Command command) {
        log.pipeInput(command.invocationId(), Json.write(command));
    }
}
