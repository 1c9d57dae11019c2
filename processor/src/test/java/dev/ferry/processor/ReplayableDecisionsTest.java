package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.FireTimer;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.RenewLease;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.DispatcherCommand;
import dev.ferry.schemas.replies.InvocationStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Decisions a processor's successor makes again the same way after a crash (issue 11): time is the log's, timers fire
 * where their records sit in the log, leases are judged against what the processor has read, and attempts started
 * while redoing commands are dispatched only if they still run once the redo is committed.
 */
class ReplayableDecisionsTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(10);

    private final RequestedTimers requestedTimers = new RequestedTimers();
    private TopologyTestDriver driver;
    /** The task's state directory: a second {@link #start} on it is the task's next owner, with what was committed. */
    private Properties props;
    private TestInputTopic<String, byte[]> log;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, byte[]> dispatch;
    private TestOutputTopic<String, byte[]> replies;

    private void start() throws Exception {
        if (props == null) {
            props = TestDrivers.props(TOPICS, "replay");
        }
        ProcessorSettings settings = new ProcessorSettings(Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1)),
                () -> ProcessorTopologyTest.REGISTRY, 1, LEASE, Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, requestedTimers,
                new SimpleMeterRegistry()), props, START);
        log = driver.createInputTopic(TOPICS.log(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        requests = driver.createInputTopic(TOPICS.requests(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        dispatch = driver.createOutputTopic(TOPICS.dispatch(), new StringDeserializer(), new ByteArrayDeserializer());
        replies = driver.createOutputTopic(TOPICS.replies(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void aTimerFiresWhereItsRecordSitsInTheLogNotWhenTheClockSaysSo() throws Exception {
        start();
        Invoke send = send(START.toEpochMilli() + 5_000);
        pipe(send, START);
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(dispatch.isEmpty()).as("due by the clock, but its record is not read yet").isTrue();

        List<FireTimer> asked = requestedTimers.take();
        assertThat(asked).singleElement().satisfies(fire -> {
            assertThat(fire.kind()).isEqualTo("START");
            assertThat(fire.due()).isEqualTo(START.toEpochMilli() + 5_000);
        });
        log.pipeInput(send.invocationId().toString(), Json.write(asked.getFirst()), START.plusSeconds(6));
        assertThat(dispatched()).singleElement().satisfies(attempt ->
                assertThat(attempt.invocationId()).isEqualTo(send.invocationId()));

        log.pipeInput(send.invocationId().toString(), Json.write(asked.getFirst()), START.plusSeconds(7));
        assertThat(dispatch.isEmpty()).as("the same record again fires nothing").isTrue();
    }

    @Test
    void aTimerRecordFiresOnlyWhenItsTimerIsDueByTheLogsClockGivenASecondOfSkew() throws Exception {
        start();
        Invoke send = send(START.toEpochMilli() + 5_000);
        pipe(send, START);
        FireTimer fire = new FireTimer(send.invocationId(), "START", 0, START.toEpochMilli() + 5_000);
        // Forged, or appended by a processor whose clock runs far ahead of the broker's.
        log.pipeInput(send.invocationId().toString(), Json.write(fire), START.plusSeconds(1));
        assertThat(dispatch.isEmpty()).isTrue();
        // The broker's clock a little behind the processor's.
        log.pipeInput(send.invocationId().toString(), Json.write(fire), START.plusMillis(4_500));
        assertThat(dispatched()).hasSize(1);
    }

    @Test
    void aRenewalQueuedBeforeTheLeaseTimersRecordKeepsTheLease() throws Exception {
        start();
        Invoke call = call("renewed");
        pipe(call, START);
        assertThat(dispatched()).hasSize(1);

        // The processor falls behind: the dispatcher's renewal at 5 s is still queued when the clock passes the
        // lease's end, so the timer's record lands behind it.
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        List<FireTimer> asked = requestedTimers.take();
        assertThat(asked).singleElement().satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
        log.pipeInput(call.invocationId().toString(), Json.write(new RenewLease(call.invocationId(), 1)),
                START.plusSeconds(5));
        log.pipeInput(call.invocationId().toString(), Json.write(asked.getFirst()), START.plusSeconds(11));

        assertThat(dispatch.isEmpty()).as("no abort and no second attempt").isTrue();
        assertThat(status(call)).isEqualTo(InvocationStatus.RUNNING);
    }

    @Test
    void aLeaseLapsesWhenNoRenewalCameBeforeItsRecord() throws Exception {
        start();
        Invoke call = call("lapsed");
        pipe(call, START);
        dispatched();

        driver.advanceWallClockTime(Duration.ofSeconds(11));
        log.pipeInput(call.invocationId().toString(), Json.write(requestedTimers.take().getFirst()),
                START.plusSeconds(11));

        List<DispatcherCommand> after = commands();
        assertThat(after).hasSize(1);
        assertThat(after.getFirst()).isInstanceOf(AbortAttempt.class);
        assertThat(status(call)).isEqualTo(InvocationStatus.BACKING_OFF);
    }

    @Test
    void anAttemptDispatchedFromBehindABacklogGetsAWholeLeaseBeforeItIsAskedAbout() throws Exception {
        start();
        // The command was appended at START; the processor reads it 30 s later, behind a backlog. Counted from the
        // command's time the lease ended long ago, yet its dispatcher has only just received the attempt.
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        Invoke call = call("backlog");
        pipe(call, START);
        assertThat(dispatched()).hasSize(1);

        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertThat(requestedTimers.take()).as("not before a lease since the dispatch").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(requestedTimers.take()).singleElement()
                .satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
    }

    @Test
    void anAttemptWaitingForADispatcherWithRoomIsNotAskedAboutUntilAWholeLeaseAfterOneTookIt() throws Exception {
        start();
        Invoke call = call("queued");
        pipe(call, START);
        assertThat(dispatched()).hasSize(1);
        // The dispatchers are at their limit of open calls: the attempt's record waits in the dispatch topic.
        requestedTimers.dispatchTakenAt(CommandLogAccess.DISPATCH_WAITING);
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertThat(requestedTimers.take()).as("no dispatcher holds it: no lease to lapse").isEmpty();

        // A call ended, and a dispatcher took it; this process sees so a second later.
        requestedTimers.dispatchTakenAt(START.plusSeconds(40).toEpochMilli());
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(8));
        assertThat(requestedTimers.take()).as("its dispatcher has had less than a lease to renew it").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(requestedTimers.take()).singleElement()
                .satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
    }

    @Test
    void anAttemptTakenJustBeforeItsLeaseWasDueGetsAWholeLeaseFromThen() throws Exception {
        start();
        Invoke call = call("taken-late");
        pipe(call, START);
        assertThat(dispatched()).hasSize(1);
        // Taken 9.9 s after its dispatch, with its lease due at 10 s: the renewal its dispatcher sends on taking it
        // may reach the log after a timer record asked for at 10 s.
        requestedTimers.dispatchTakenAt(START.plusMillis(9_900).toEpochMilli());
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertThat(requestedTimers.take()).as("less than a lease since it was taken").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertThat(requestedTimers.take()).singleElement()
                .satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
    }

    @Test
    void attemptsStartedWhileRedoingAreDispatchedOnceCommittedAndOnlyIfTheyStillRun() throws Exception {
        requestedTimers.committed(false); // the task starts on commands it had not committed
        start();
        Invoke done = call("done-before-the-crash");
        Invoke running = call("still-running");
        pipe(done, START);
        pipe(running, START);
        // The dispatcher that ran the first attempt had appended its completion before the processor crashed.
        completed(done, "\"hi\"", START);
        assertThat(dispatch.isEmpty()).as("held back while redoing").isTrue();
        assertThat(replies.readRecordsToList()).as("answers are the same whenever they are given").hasSize(1);

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatch.isEmpty()).as("still not committed").isTrue();
        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(dispatched()).as("the completed invocation is never dispatched again")
                .extracting(Dispatch::invocationId).containsExactly(running.invocationId());
        pipe(call("after-the-redo"), START.plusSeconds(2));
        assertThat(dispatched()).as("and dispatches flow at once again").hasSize(1);
    }

    @Test
    void anOutcomeReadBeforeTheCommandThatStartedItsAttemptCountsWhenRedoing() throws Exception {
        requestedTimers.committed(false);
        start();
        Invoke call = call("outcome-first");
        // The redo reads the log's partition before the requests' has arrived: the completion comes first.
        completed(call, "\"first\"", START.plusSeconds(1));
        pipe(call, START);

        assertThat(status(call)).isEqualTo(InvocationStatus.COMPLETED);
        answeredOnceAndNotRunAgain();
    }

    /**
     * Found by a long fault run (issue 13): a task that moves while it redoes commits what it has read, so an outcome
     * it kept for an attempt not started yet is never read again by the next owner. Kept only in memory, it was lost,
     * the attempt ran until its lease lapsed and ran again, after its caller had the first run's answer.
     */
    @Test
    void anOutcomeReadBeforeItsAttemptStartedStillCountsWhenTheTaskMovesBeforeThatCommandComes() throws Exception {
        requestedTimers.committed(false);
        start();
        Invoke call = call("moved-mid-redo");
        completed(call, "\"first\"", START.plusSeconds(1));
        moveTask(); // committed past the completion, not yet past the call (its partition's fetch had not come back)

        pipe(call, START);
        assertThat(status(call)).as("the next owner applies the outcome it never read").isEqualTo(
                InvocationStatus.COMPLETED);
        answeredOnceAndNotRunAgain();
    }

    @Test
    void anAttemptHeldWhileRedoingIsSentByTheNextOwnerOnceItHasCommittedItsRedo() throws Exception {
        requestedTimers.committed(false);
        start();
        Invoke call = call("held-then-moved");
        pipe(call, START);
        assertThat(dispatch.isEmpty()).as("held back while redoing").isTrue();
        moveTask();

        assertThat(dispatch.isEmpty()).as("the next owner redoes too").isTrue();
        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatched()).as("sent at the end of its redo, not a lease later").singleElement()
                .satisfies(sent -> assertThat(sent.attempt()).isEqualTo(1));
    }

    @Test
    void whatARedoHeldIsForgottenOnceItIsCommitted() throws Exception {
        requestedTimers.committed(false);
        start();
        Invoke call = call("held-then-committed");
        Invoke never = call("never-comes");
        pipe(call, START);
        completed(never, "1", START.plusSeconds(1));
        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatched()).hasSize(1);
        moveTask();

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatch.isEmpty()).as("a committed redo is not redone by the next owner").isTrue();
        try (var held = driver.getKeyValueStore(ProcessorTopology.REDO).all()) {
            assertThat(held.hasNext()).as("nothing kept for a redo").isFalse();
        }
    }

    @Test
    void anOutcomeAppendedBeforeTheCommandThatStartedTheAttemptIsAStaleCopyAndIsNotApplied() throws Exception {
        requestedTimers.committed(false);
        start();
        Invoke call = call("used-again");
        completed(call, "\"old\"", START.minusSeconds(5));
        pipe(call, START);

        assertThat(status(call)).isEqualTo(InvocationStatus.RUNNING);
        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatched()).hasSize(1);
    }

    @Test
    void aLeaseFoundDueWhileItsDispatchWasHeldGetsAWholeLeaseFromTheDispatch() throws Exception {
        requestedTimers.committed(false);
        start();
        // Appended before this task started: its lease (counted from then) is due 5 s into the task's life.
        Invoke call = call("held-lease");
        pipe(call, START.minusSeconds(5));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(requestedTimers.take()).as("known for less than a lease").isEmpty();

        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatched()).as("sent once committed, 7 s in").hasSize(1);

        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertThat(requestedTimers.take()).as("its dispatcher has had less than a lease to renew it").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(requestedTimers.take()).singleElement()
                .satisfies(fire -> assertThat(fire.kind()).isEqualTo("LEASE"));
    }

    @Test
    void theLeaseOfACallThatCompletedIsDroppedWithoutARecord() throws Exception {
        start();
        Invoke call = call("done");
        pipe(call, START);
        completed(call, "1", START.plusMillis(5));

        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertThat(requestedTimers.take()).as("a record per completed call would double the log's traffic").isEmpty();
        assertThat(driver.<String, byte[]>getKeyValueStore(ProcessorTopology.TIMERS).get(
                new Timer(START.toEpochMilli() + LEASE.toMillis(), Timer.Kind.LEASE, call.invocationId(), 1).key()))
                .isNull();
    }

    /**
     * The task moves to another processor: it commits, and the next owner opens the stores as committed. The test
     * driver wipes its state directory when it closes, so the stores are closed first (which writes them out, as a
     * commit would), copied aside, and put back for the next driver.
     */
    private void moveTask() throws Exception {
        Path stateDir = Path.of(props.getProperty(StreamsConfig.STATE_DIR_CONFIG));
        Path committed = Files.createTempDirectory("ferry-replay-committed");
        driver.getAllStateStores().values().forEach(StateStore::close);
        copy(stateDir, committed);
        try {
            driver.close();
        } catch (RuntimeException alreadyClosed) {
            // its stores are
        }
        driver = null;
        copy(committed, stateDir);
        start();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals("LOCK")) {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The dispatcher that ran the call's first attempt appended this completion, at {@code logTime}. */
    private void completed(Invoke call, String json, Instant logTime) {
        log.pipeInput(call.invocationId().toString(), Json.write(new Completion(call.invocationId(), 1,
                Outcome.success(200, "application/json", Payload.ofUtf8(json)))), logTime);
    }

    /** Its caller got the answer it got the first time, and once the redo is committed it is not dispatched again. */
    private void answeredOnceAndNotRunAgain() {
        assertThat(replies.readRecordsToList()).as("its caller gets the answer it got the first time").hasSize(1);
        requestedTimers.committed(true);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dispatch.isEmpty()).as("and it does not run again").isTrue();
    }

    private Invoke call(String idempotencyKey) {
        return new Invoke(InvocationIds.forSubmission(GREET, idempotencyKey), GREET, idempotencyKey,
                "application/json", List.of(), Payload.ofUtf8("{}"), null, null, false,
                new ReplyTo("ingress-1", "req-" + idempotencyKey), false, START.toEpochMilli(), null);
    }

    private Invoke send(long executeAt) {
        return new Invoke(InvocationIds.forSubmission(GREET, null), GREET, null, null, List.of(),
                Payload.EMPTY, null, executeAt, true, null, false, START.toEpochMilli(), null);
    }

    private void pipe(Command command, Instant logTime) {
        boolean fromIngress = command instanceof Invoke invoke && invoke.replyTo() != null;
        (fromIngress ? requests : log).pipeInput(command.invocationId().toString(), Json.write(command), logTime);
    }

    private List<DispatcherCommand> commands() {
        return dispatch.readValuesToList().stream()
                .map(value -> Json.readTrusted(value, DispatcherCommand.class))
                .toList();
    }

    private List<Dispatch> dispatched() {
        return commands().stream().map(Dispatch.class::cast).toList();
    }

    private InvocationStatus status(Invoke invoke) {
        return driver.<String, InvocationState>getKeyValueStore(ProcessorTopology.INVOCATIONS)
                .get(invoke.invocationId().toString()).status();
    }
}
