package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.FireTimer;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.results.ResultTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
    static final Registry REGISTRY = Registry.EMPTY.with(new Deployment("dp_1test", "http://127.0.0.1:9080",
            0, 1, List.of(new ServiceManifest("Greeter", null, ServiceType.SERVICE, List.of(
                    new HandlerManifest("greet", null, null, null, null, null, null, null, null, null, null, null,
                            null, null, null, null, null, null),
                    new HandlerManifest("boom", null, null, null, null, null, null, null, null, null, null, null,
                            null, null, null, null, null, null)),
                    null, null, null, null, null, null, null, null, null, null, null, null, null))), 0);

    private Path stateDir;
    private TopologyTestDriver driver;
    private static final Target BOOM = Target.service("Greeter", "boom");
    private TestInputTopic<String, byte[]> log;
    private TestInputTopic<String, byte[]> requests;
    private final PoisonedRecords poisoned = new PoisonedRecords();
    private final RequestedTimers requestedTimers = new RequestedTimers();
    private TestOutputTopic<String, byte[]> dispatch;
    private TestOutputTopic<String, byte[]> replies;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() throws Exception {
        stateDir = Files.createTempDirectory("ferry-topology-test");
        Properties props = TestDrivers.props(TOPICS, stateDir);
        // The test driver's topics have one partition: every command is on its partition.
        Policies uniform = Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1));
        // A bug for one handler: its retry policy lacks a maximum interval, so deciding how to retry it throws (a
        // command or a timer that cannot be processed).
        RetryPolicy broken = new RetryPolicy(Duration.ofMillis(500), 2.0, null, 70, RetryPolicy.OnMaxAttempts.PAUSE);
        Policies throwingForBoom = new Policies() {
            @Override
            public RetryPolicy retryPolicy(Target target) {
                return target.handler().equals("boom") ? broken : uniform.retryPolicy(target);
            }

            @Override
            public Duration retention(Target target, String idempotencyKey) {
                return uniform.retention(target, idempotencyKey);
            }

            @Override
            public Duration inactivityTimeout(Target target) {
                return Duration.ZERO;
            }
        };
        ProcessorSettings settings = new ProcessorSettings(throwingForBoom, () -> REGISTRY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20), RecordLimits.DEFAULT, ResultTopics.parse("out.*", TOPICS),
                ProcessorSettings.DEFAULT_MAX_INBOX_LENGTH);
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings,
                new TopicLimits(null) {
                    @Override
                    int maxRecordBytes(String topic) {
                        return topic.equals("out.existing") ? 10_000 : TopicLimits.MISSING;
                    }
                }, poisoned, requestedTimers, new SimpleMeterRegistry()), props, START);
        // Commands carry their log-append time, which is the processor's clock: the wall clock's, here.
        log = driver.createInputTopic(TOPICS.log(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        requests = driver.createInputTopic(TOPICS.requests(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        dispatch = driver.createOutputTopic(TOPICS.dispatch(), new StringDeserializer(), new ByteArrayDeserializer());
        replies = driver.createOutputTopic(TOPICS.replies(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(
                TOPICS.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /**
     * Time passes for the wall clock and for the commands appended from now on alike; the timers the processor asks
     * for meanwhile come back to it through the log, as the broker would return them.
     */
    private void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        log.advanceTime(duration);
        requests.advanceTime(duration);
        for (FireTimer fire : requestedTimers.take()) {
            log.pipeInput(fire.invocationId().toString(), Json.write(fire));
        }
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
        assertThat(invocations.get(call.invocationId().toString()).status()).isEqualTo(InvocationStatus.COMPLETED);
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
        Invoke send = new Invoke(InvocationIds.forSubmission(GREET, null), GREET, null, null, List.of(),
                Payload.EMPTY, null, START.toEpochMilli() + 5_000, true, null, false, START.toEpochMilli(), null);
        pipe(send);
        assertThat(dispatch.isEmpty()).isTrue();

        advance(Duration.ofMillis(4_900));
        assertThat(dispatch.isEmpty()).isTrue();
        advance(Duration.ofMillis(200));
        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .isEqualTo(send.invocationId());
    }

    @Test
    void aResultIsKeptForItsRetentionOnWallClockTimeAlone() {
        Invoke call = call("key-1");
        pipe(call);
        pipe(new Completion(call.invocationId(), 1, Outcome.failure(400, "no")));
        KeyValueStore<String, InvocationState> invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);

        advance(Duration.ofMinutes(59));
        assertThat(invocations.get(call.invocationId().toString())).isNotNull();
        // No record arrives: the punctuator alone ends the retention.
        advance(Duration.ofMinutes(2));
        assertThat(invocations.get(call.invocationId().toString())).isNull();
    }

    @Test
    void aDirectProducersInvokeWithoutIdOrTypesRunsAndGetsAnIdFromItsPosition() {
        log.pipeInput("any-key", ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},"
                + "\"body\":{\"name\":\"Kafka\"}}").getBytes(StandardCharsets.UTF_8));

        Dispatch attempt = Json.readTrusted(dispatch.readRecord().value(), Dispatch.class);
        assertThat(attempt.target()).isEqualTo(GREET);
        assertThat(attempt.body().utf8()).isEqualTo("{\"name\":\"Kafka\"}");
        assertThat(attempt.invocationId().partitionKey())
                .as("the record key's partition key, as the default partitioner placed it")
                .isEqualTo(Routing.partitionKey("any-key"));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aDirectProducersDelayCountsFromTheRecordTimestamp() {
        log.pipeInput("k", ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},"
                + "\"delay\":\"2s\"}").getBytes(StandardCharsets.UTF_8), START);
        assertThat(dispatch.isEmpty()).isTrue();
        advance(Duration.ofMillis(2_100));
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

    @Test
    void commandsWhoseIdMatchesThePatternButDoesNotDecodeGoToTheDeadLetterTopicWithTheReason() {
        // 11 base62 digits of a partition key past 2^64: the schema's pattern allows them, the id does not decode.
        String undecodable = "inv_1" + "Z".repeat(11) + "0".repeat(22);
        log.pipeInput("k", ("{\"type\":\"Invoke\",\"invocationId\":\"" + undecodable + "\",\"target\":"
                + "{\"service\":\"Greeter\",\"handler\":\"greet\"}}").getBytes(StandardCharsets.UTF_8));
        log.pipeInput("k", ("{\"type\":\"Completion\",\"invocationId\":\"" + undecodable + "\",\"attempt\":1,"
                + "\"outcome\":{\"failure\":{\"code\":500,\"message\":\"x\"}}}").getBytes(StandardCharsets.UTF_8));
        Invoke after = call("after-the-bad-ids");
        pipe(after);

        for (String type : List.of("Invoke", "Completion")) {
            TestRecord<String, byte[]> dead = deadLetters.readRecord();
            assertThat(reason(dead)).as(type)
                    .isEqualTo("bad invocation id '" + undecodable + "': base62 decode error");
            assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains(type, undecodable);
        }
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .as("the partition goes on").isEqualTo(after.invocationId());
    }

    private static String reason(TestRecord<String, byte[]> deadLetter) {
        return new String(deadLetter.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    }

    private Invoke call(String idempotencyKey) {
        return new Invoke(InvocationIds.forSubmission(GREET, idempotencyKey), GREET, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("{\"name\":\"Mary\"}"), null, null, false,
                new ReplyTo("ingress-1", "req-1"), false, START.toEpochMilli(), null);
    }

    /** A command with a caller comes from an ingress, on the requests topic; the others are on the log. */
    private void pipe(Command command) {
        boolean fromIngress = command instanceof Invoke invoke && invoke.replyTo() != null;
        (fromIngress ? requests : log).pipeInput(command.invocationId().toString(), Json.write(command));
    }

    private Invoke call(Target target, String resultTopic) {
        return new Invoke(InvocationIds.forSubmission(target, null), target, null, "application/json",
                List.of(), Payload.ofUtf8("{}"), null, null, false, new ReplyTo("ingress-1", "req-" + target.handler()),
                false, START.toEpochMilli(), resultTopic);
    }

    private Reply readReply() {
        return Json.readTrusted(replies.readRecord().value(), Reply.class);
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** After a failure, a plain call still flows: nothing is stuck behind it. */
    private void aPlainCallStillRuns() {
        dispatch.readRecordsToList(); // earlier attempts and aborts
        Invoke call = new Invoke(InvocationIds.forSubmission(GREET, "after"), GREET, "after",
                "application/json", List.of(), Payload.ofUtf8("{}"), null, null, false,
                new ReplyTo("ingress-1", "req-after"), false, START.toEpochMilli(), null);
        pipe(call);
        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .isEqualTo(call.invocationId());
        pipe(new Completion(call.invocationId(), 1, Outcome.success(200, "application/json", Payload.ofUtf8("1"))));
        Reply answer = readReply();
        assertThat(answer.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(answer.invocationId()).isEqualTo(call.invocationId());
    }

    @Test
    void aCommandThatThrowsEndsItsInvocationForItsCallerAndIsDeadLettered() {
        Invoke call = call(BOOM, null);
        pipe(call);
        dispatch.readRecord();
        // Deciding whether to retry throws: the command is parked, the invocation ends with the reason.
        pipe(new AttemptFailed(call.invocationId(), 1, new Failure(500, "service down"), null));

        Reply reply = readReply();
        assertThat(reply.kind()).isEqualTo(Reply.Kind.INVOCATION_RESULT);
        assertThat(reply.invocationId()).isEqualTo(call.invocationId());
        assertThat(reply.outcome().failure().code()).isEqualTo(500);
        assertThat(reply.outcome().failure().message())
                .startsWith("Ferry could not process a AttemptFailed of this invocation: ")
                .contains("maxInterval");
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
        assertThat(header(dead, DeadLetters.REASON)).contains("maxInterval");
        KeyValueStore<String, InvocationState> invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);
        assertThat(invocations.get(call.invocationId().toString()).status()).isEqualTo(InvocationStatus.COMPLETED);
        aPlainCallStillRuns();
    }

    @Test
    void aTimerThatThrowsEndsItsInvocationOnceAndNeverFiresAgain() {
        Invoke call = call(BOOM, null);
        pipe(call);
        dispatch.readRecord();
        // The lease runs out: its timer asks for the retry policy, which throws.
        advance(Duration.ofSeconds(11));

        Reply reply = readReply();
        assertThat(reply.outcome().failure().code()).isEqualTo(500);
        assertThat(reply.outcome().failure().message()).startsWith("Ferry could not process a LEASE timer of "
                + call.invocationId()).contains("maxInterval");
        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo(call.invocationId().toString());
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.FAILED_TIMER);
        assertThat(header(dead, DeadLetters.REASON)).contains("LEASE", "maxInterval");

        advance(Duration.ofMinutes(1));
        assertThat(deadLetters.isEmpty()).as("the timer is gone").isTrue();
        assertThat(replies.isEmpty()).isTrue();
        aPlainCallStillRuns();
    }

    @Test
    void aReplyToOnTheLogAnswersNobodyAndACommandOnlyForCallersIsRefusedThere() {
        Invoke forged = call(null);
        log.pipeInput(forged.invocationId().toString(), Json.write(forged));
        assertThat(Json.readTrusted(dispatch.readRecord().value(), Dispatch.class).invocationId())
                .as("the submission still runs").isEqualTo(forged.invocationId());
        pipe(new Completion(forged.invocationId(), 1, Outcome.success(200, null, Payload.ofUtf8("secret"))));
        assertThat(replies.isEmpty()).as("the replyTo from the log is not honoured").isTrue();

        log.pipeInput(forged.invocationId().toString(), Json.write(new Attach(forged.invocationId(),
                new ReplyTo("ingress-1", "req-other"))));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(header(deadLetters.readRecord(), DeadLetters.REASON))
                .isEqualTo("a Attach with a replyTo on ferry.log: only Ferry's ingress sends those, on ferry.requests");
        aPlainCallStillRuns();
    }

    @Test
    void aResultTopicThatIsNotAllowedOrMissingIsRefusedWithTheReason() {
        pipe(call(GREET, "ferry.deployments"));
        Reply refused = readReply();
        assertThat(refused.outcome().failure().code()).isEqualTo(400);
        assertThat(refused.outcome().failure().message()).isEqualTo("the result topic 'ferry.deployments' is not allowed: topics starting"
                + " with ferry. are Ferry's own (except ferry.results)");
        assertThat(header(deadLetters.readRecord(), DeadLetters.REASON)).isEqualTo(refused.outcome().failure().message());

        log.pipeInput("k", ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},"
                + "\"resultTopic\":\"out.missing\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(header(deadLetters.readRecord(), DeadLetters.REASON))
                .isEqualTo("the result topic 'out.missing' does not exist");
        assertThat(dispatch.isEmpty()).isTrue();

        Invoke allowed = call(GREET, "out.existing");
        pipe(allowed);
        assertThat(dispatch.readRecord()).isNotNull();
        TestOutputTopic<String, byte[]> out = driver.createOutputTopic("out.existing", new StringDeserializer(),
                new ByteArrayDeserializer());
        pipe(new Completion(allowed.invocationId(), 1, Outcome.success(200, null, Payload.ofUtf8("1"))));
        assertThat(out.readRecord().key()).isEqualTo(allowed.invocationId().toString());
    }

    @Test
    void aResultTooLargeForItsResultTopicEndsTheInvocationWithTheReason() {
        Invoke call = call(GREET, "out.existing");
        pipe(call);
        dispatch.readRecord();
        pipe(new Completion(call.invocationId(), 1, Outcome.success(200, null, Payload.ofUtf8("x".repeat(20_000)))));

        Reply reply = readReply();
        assertThat(reply.outcome().failure().code()).isEqualTo(500);
        assertThat(reply.outcome().failure().message()).startsWith("Ferry could not process a Completion of this"
                + " invocation: its result would be ").endsWith(" bytes, over the 10000 bytes the result topic"
                + " 'out.existing' takes (max.message.bytes)");
        TestOutputTopic<String, byte[]> out = driver.createOutputTopic("out.existing", new StringDeserializer(),
                new ByteArrayDeserializer());
        assertThat(new String(out.readRecord().value(), StandardCharsets.UTF_8))
                .as("the failure is published instead").contains("\"status\":\"failed\"");
        aPlainCallStillRuns();
    }

    @Test
    void aDeadLetterKeepsABoundedCopyOfAHugeRecord() {
        byte[] huge = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) '[');
        log.pipeInput("k".repeat(5000), huge);

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).hasSize(CommandProcessor.DEAD_LETTER_VALUE_BYTES);
        assertThat(dead.key()).hasSize(CommandProcessor.DEAD_LETTER_KEY_CHARS);
        assertThat(header(dead, DeadLetters.ORIGINAL_SIZE)).isEqualTo(Integer.toString(huge.length));
        assertThat(header(dead, DeadLetters.REASON)).startsWith("not a valid command: not JSON")
                .endsWith("(value cut from 3145728 bytes to 1048576)");
        aPlainCallStillRuns();
    }

    @Test
    void aCommandWhoseEffectsCouldNotBeProducedEndsItsInvocationWhenProcessedAgain() {
        Invoke call = call(GREET, null);
        pipe(call);
        dispatch.readRecord();
        // As the production exception handler does when a send failed: the transaction aborts, the command is redone.
        poisoned.add(TOPICS.log(), 0, 0, "writing a record to out.gone failed: UnknownTopicOrPartitionException");
        pipe(new Completion(call.invocationId(), 1, Outcome.success(200, null, Payload.ofUtf8("1"))));

        Reply reply = readReply();
        assertThat(reply.outcome().failure().code()).isEqualTo(500);
        assertThat(reply.outcome().failure().message()).isEqualTo("Ferry could not process a Completion of this"
                + " invocation: writing a record to out.gone failed: UnknownTopicOrPartitionException");
        assertThat(header(deadLetters.readRecord(), DeadLetters.REASON)).startsWith("processing failed: writing");
        aPlainCallStillRuns();
    }
}
