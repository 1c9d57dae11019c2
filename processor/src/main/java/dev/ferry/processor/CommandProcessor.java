package dev.ferry.processor;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.LogContext;
import dev.ferry.schemas.RecordSchemas;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Detach;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Notify;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.DispatcherCommand;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.results.DeadLetters;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;
import dev.ferry.schemas.results.ResultTopics;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams edge of the state machine: reads commands from the log, hands them to {@link StateMachine}
 * with the task's stores, and turns its effects into records on the dispatch, replies and dead-letter topics.
 * Time is the command record's log-append time. A wall-clock punctuator asks for due timers through the log (see
 * {@link TimerRequests}), so delays, retries, leases and retention run on real time even when no record arrives,
 * yet fire at one place in the log's order.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]>, Effects {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
    /** A dead-letter record keeps at most this much of the record's value; the reason says what was cut. */
    static final int DEAD_LETTER_VALUE_BYTES = 1024 * 1024;
    /** ... and of its original headers and key. */
    static final int DEAD_LETTER_HEADER_BYTES = 64 * 1024;
    static final int DEAD_LETTER_KEY_CHARS = 1024;
    /** While a task redoes, this often at most it asks the cluster whether it has committed past the redo. */
    private static final Duration REDO_CHECK_INTERVAL = Duration.ofMillis(250);
    /** Batch and record framing (61 and at most 21 bytes), which producer and broker count against their limits. */
    private static final int RECORD_OVERHEAD_BYTES = 128;

    private final ProcessorSettings settings;
    private final RecordSchemas schemas;
    private final Topics topics;
    private final ResultTopics resultTopics;
    private final TopicLimits topicLimits;
    private final PoisonedRecords poisoned;
    private final MeterRegistry meters;
    private final CommandLogAccess commandLog;
    private ProcessorContext<String, byte[]> context;
    private StateMachine stateMachine;
    private TimerRequests timerRequests;
    /** Redoing: the ends of this task's command partitions when it started (null until known). */
    private Map<TopicPartition, Long> redoEnds;
    private boolean redoing;
    /** The offset of the next record of this task's log partition to read (0 until one is read). */
    private long logPosition;
    private long nextRedoCheck;
    /** By {@link #heldKey}, in the order they were started. */
    private final Map<String, HeldDispatch> heldDispatches = new LinkedHashMap<>();
    /** See {@link #parkedEarly}: by {@code <invocation id>/<attempt>}, oldest first. */
    private final Map<String, EarlyOutcome> earlyOutcomes = new LinkedHashMap<>();
    /**
     * The held dispatches and early outcomes again, in the task's state: Kafka Streams commits the offsets of what it
     * has read, kept here or not, so a task that moves mid-redo hands them over with the offsets (see {@link #init}).
     */
    private KeyValueStore<String, RedoWork> redoWork;
    private static final int MAX_EARLY_OUTCOMES = 10_000;
    /** The record being processed, for {@link #reject}. */
    private Record<String, byte[]> current;

    CommandProcessor(ProcessorSettings settings, RecordSchemas schemas, Topics topics, ResultTopics resultTopics,
            TopicLimits topicLimits, PoisonedRecords poisoned, CommandLogAccess commandLog, MeterRegistry meters) {
        this.poisoned = poisoned;
        this.commandLog = commandLog;
        this.settings = settings;
        this.schemas = schemas;
        this.topics = topics;
        this.resultTopics = resultTopics;
        this.topicLimits = topicLimits;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        KeyValueStore<String, InvocationState> invocations = context.getStateStore(ProcessorTopology.INVOCATIONS);
        KeyValueStore<String, StoredInput> inputs = context.getStateStore(ProcessorTopology.INPUTS);
        KeyValueStore<String, byte[]> timers = context.getStateStore(ProcessorTopology.TIMERS);
        KeyValueStore<String, Inbox> inboxes = context.getStateStore(ProcessorTopology.INBOXES);
        KeyValueStore<String, String> inboxEntries = context.getStateStore(ProcessorTopology.INBOX_ENTRIES);
        KeyValueStore<String, byte[]> invocationsByTime = context.getStateStore(ProcessorTopology.INVOCATIONS_BY_TIME);
        StoreBackedState state = new StoreBackedState(invocations, inputs, timers, inboxes, inboxEntries,
                invocationsByTime, context.getStateStore(ProcessorTopology.JOURNALS),
                context.getStateStore(ProcessorTopology.OBJECT_STATES), context.getStateStore(ProcessorTopology.PROMISES));
        int indexed = state.indexIfUnindexed();
        if (indexed > 0) {
            log.info("Indexed the {} invocations of task {} by creation time (state from before the index)", indexed,
                    context.taskId());
        }
        stateMachine = new StateMachine(state, this, settings.policies(), settings.lease(), topics.results(),
                settings.maxInboxLength());
        int partition = context.taskId().partition();
        long now = context.currentSystemTimeMs();
        timerRequests = new TimerRequests(state, stateMachine::timerMatters, commandLog, partition, settings.lease(),
                now, () -> logPosition);
        redoEnds = commandLog.ends(partition);
        redoing = redoEnds == null || !commandLog.committedPast(redoEnds);
        redoWork = context.getStateStore(ProcessorTopology.REDO);
        heldDispatches.clear();
        earlyOutcomes.clear();
        if (redoing) {
            int handedOver = takeOverRedoWork();
            log.info("Task {} reads again the commands up to {} that it had not committed: their dispatches wait "
                    + "until it has{}", context.taskId(), redoEnds, handedOver == 0 ? ""
                    : " (" + handedOver + " held dispatches and early outcomes from a redo before it)");
        } else {
            forgetRedoWork(); // committed past everything: no attempt of it is still to start or to send
        }
        context.schedule(settings.timerTick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    /**
     * The wall-clock punctuator: asks for due timers (they fire when their records come back, see
     * {@link TimerRequests}) and ends a redo. Nothing it throws may reach the stream thread (it would die and come
     * back to the same tick).
     */
    private void tick(long now) {
        try {
            if (redoing && now >= nextRedoCheck) {
                nextRedoCheck = now + REDO_CHECK_INTERVAL.toMillis();
                endRedoIfCaughtUp();
            }
            timerRequests.tick(now);
        } catch (KafkaException e) {
            throw e; // the stream thread's own failures: Kafka Streams recovers from these
        } catch (RuntimeException e) {
            log.error("Looking for due timers failed; trying again at the next tick", e);
        }
    }

    /**
     * A task that starts on commands it had not committed (its processor crashed, or its partition moved) reads them
     * again, and decides the same again; but its predecessor may have sent their dispatches already, and the
     * dispatchers acted on them. So while it redoes, the attempts it starts are held back, and once it has committed
     * past everything the log held when it started, each is sent if it still runs: one that a later command in the
     * log ended (its completion, appended by the dispatcher that ran it) is never dispatched again.
     */
    private void endRedoIfCaughtUp() {
        if (redoEnds == null) {
            redoEnds = commandLog.ends(context.taskId().partition());
            return;
        }
        if (!commandLog.committedPastSoFar(redoEnds)) {
            return;
        }
        redoing = false;
        int sent = 0;
        for (HeldDispatch held : heldDispatches.values()) {
            try (Scope ignored = held.trace() == null ? null : held.trace().makeCurrent()) {
                if (stateMachine.redispatch(held.invocationId(), held.attempt(),
                        context.currentSystemTimeMs())) {
                    sent++;
                }
            } catch (KafkaException e) {
                throw e;
            } catch (RuntimeException e) {
                log.error("Dispatching {} attempt {} failed", held.invocationId(), held.attempt(), e);
                stateMachine.fail(held.invocationId(), new Failure(500, "Ferry could not dispatch attempt "
                        + held.attempt() + ": " + describe(e)), null, context.currentSystemTimeMs());
            }
        }
        log.info("Task {} has committed what it redid: {} of {} held dispatches still run and were sent; {} early"
                + " outcomes were never matched", context.taskId(), sent, heldDispatches.size(), earlyOutcomes.size());
        heldDispatches.clear();
        earlyOutcomes.clear();
        forgetRedoWork();
    }

    /**
     * A predecessor that moved mid-redo committed the offsets of commands it had only held: its held dispatches and
     * early outcomes are this task's now. Returns how many there were.
     */
    private int takeOverRedoWork() {
        List<Map.Entry<String, EarlyOutcome>> early = new ArrayList<>();
        int count = 0;
        try (KeyValueIterator<String, RedoWork> all = redoWork.all()) {
            while (all.hasNext()) {
                KeyValue<String, RedoWork> entry = all.next();
                count++;
                String attemptKey = entry.key.substring(entry.key.indexOf('/') + 1);
                int slash = attemptKey.lastIndexOf('/');
                InvocationId invocationId;
                int attempt;
                try {
                    invocationId = InvocationId.parse(attemptKey.substring(0, slash));
                    attempt = Integer.parseInt(attemptKey.substring(slash + 1));
                } catch (RuntimeException e) { // never written so; a task that cannot start would stall its partition
                    log.warn("Task {} skips redo entry {}: {}", context.taskId(), entry.key, e.toString());
                    continue;
                }
                RedoWork work = entry.value;
                if (work.outcome() == null) {
                    heldDispatches.put(entry.key, new HeldDispatch(invocationId, attempt, null));
                } else {
                    early.add(Map.entry(attemptKey, new EarlyOutcome(work.outcome(), attempt, work.appendedAt())));
                }
            }
        }
        early.sort(Comparator.comparingLong(entry -> entry.getValue().appendedAt()));
        early.forEach(entry -> earlyOutcomes.put(entry.getKey(), entry.getValue()));
        return count;
    }

    private void forgetRedoWork() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, RedoWork> all = redoWork.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(redoWork::delete);
    }

    private static String earlyKey(String attemptKey) {
        return "early/" + attemptKey;
    }

    private static String heldKey(InvocationId invocationId, int attempt) {
        return "held/" + invocationId + "/" + attempt;
    }

    /**
     * A redo reads the two command topics in the order of their records' times, while the first reading took them as
     * they arrived: an attempt's outcome (on the log) may now come before the command that started the attempt (an
     * {@code Invoke} or {@code Resume} on the requests topic). Dropped as the outcome of no current attempt, it would
     * leave the invocation to run again and end with another answer than the one its callers got. So while redoing, an
     * outcome for an attempt not started yet is kept here, and applied as soon as its attempt runs.
     */
    private boolean parkedEarly(Command command, long appendedAt) {
        int attempt;
        if (command instanceof Completion completion) {
            attempt = completion.attempt();
        } else if (command instanceof AttemptFailed failed) {
            attempt = failed.attempt();
        } else {
            return false;
        }
        if (!stateMachine.notStartedYet(command.invocationId(), attempt)) {
            return false;
        }
        if (earlyOutcomes.size() >= MAX_EARLY_OUTCOMES) {
            String oldest = earlyOutcomes.keySet().iterator().next();
            earlyOutcomes.remove(oldest);
            redoWork.delete(earlyKey(oldest));
        }
        String attemptKey = command.invocationId() + "/" + attempt;
        earlyOutcomes.put(attemptKey, new EarlyOutcome(command, attempt, appendedAt));
        redoWork.put(earlyKey(attemptKey), new RedoWork(command, appendedAt));
        return true;
    }

    /** An outcome read before its attempt started, and when it was appended. */
    private record EarlyOutcome(Command outcome, int attempt, long appendedAt) {}

    /**
     * Applies the kept outcomes whose attempts run now: the command just applied, appended at {@code now}, started
     * them. Only an outcome appended after that command can be its attempt's: one appended before is a stale copy
     * for an earlier invocation under the same id (an idempotency key used again after its retention), never applied.
     */
    private void applyEarlyOutcomes(long now) {
        boolean applied;
        do {
            applied = false;
            for (var entries = earlyOutcomes.entrySet().iterator(); entries.hasNext(); ) {
                Map.Entry<String, EarlyOutcome> entry = entries.next();
                EarlyOutcome early = entry.getValue();
                if (early.appendedAt() >= now
                        && stateMachine.runsAttempt(early.outcome().invocationId(), early.attempt())) {
                    entries.remove();
                    redoWork.delete(earlyKey(entry.getKey()));
                    stateMachine.apply(early.outcome(), early.appendedAt());
                    applied = true; // it may have started another invocation's attempt (the key's next)
                    break;
                }
            }
        } while (applied && !earlyOutcomes.isEmpty());
    }

    /** An attempt started while redoing, to dispatch once the redo is committed if it still runs then. */
    /** @param trace the trace context it was started in, to send it in; null when not tracing */
    private record HeldDispatch(InvocationId invocationId, int attempt, Context trace) {}

    @Override
    public void process(Record<String, byte[]> record) {
        context.recordMetadata().ifPresent(origin -> {
            if (origin.topic().equals(topics.log())) {
                logPosition = origin.offset() + 1;
            }
        });
        Tracer tracer = Tracing.tracer();
        if (tracer == null) {
            apply(record, null);
            return;
        }
        // Tracing lives here at the edge, never in the state machine: a command whose record carries a trace context
        // is applied in a span of that trace, and the records its effects write (dispatches, submissions) carry the
        // span's context on (see dispatch, submit). Commands without one (timers, lease renewals) get no span.
        Context parent = Tracing.fromRecord(record.headers());
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            apply(record, null);
            return;
        }
        Span span = tracer.spanBuilder("process").setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            apply(record, span);
        } finally {
            span.end();
        }
    }

    /** @param span the span the command is applied in, named and described here once it is read; null if none */
    private void apply(Record<String, byte[]> record, Span span) {
        current = record;
        Command command = null;
        try {
            command = read(record.value());
            if (command == null) {
                return; // rejected
            }
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            String poison = poisoned.reason(origin.topic(), origin.partition(), origin.offset());
            if (poison != null && poisoned.met(origin.topic(), origin.partition(), origin.offset()) > 1) {
                reject("its effects could not be written, nor its invocation ended: " + poison);
                return;
            }
            if (!origin.topic().equals(topics.requests())) {
                command = withoutReplyTo(command, origin);
                if (command == null) {
                    return; // rejected
                }
            }
            if (command instanceof Invoke invoke) {
                command = checkSubmission(invoke, origin, record);
            } else if (!onItsPartition(command.invocationId(), origin.partition())) {
                reroute(command);
                return;
            }
            if (command != null) {
                // Here, once a direct producer's submission has its id.
                enterLogContext(command);
                if (span != null) {
                    describe(span, command);
                }
                if (poison != null) {
                    throw new UnproducibleRecord(poison); // the last time, this command's effects failed
                }
                if (redoing && parkedEarly(command, record.timestamp())) {
                    return;
                }
                // The record's log-append time, not this machine's clock: a processor that reads the log again after
                // a crash decides exactly as its predecessor did (retention, delays, leases, retries).
                stateMachine.apply(command, record.timestamp());
                if (!earlyOutcomes.isEmpty()) {
                    applyEarlyOutcomes(record.timestamp());
                }
            }
        } catch (KafkaException e) {
            throw e; // the stream thread's own failures: Kafka Streams recovers from these
        } catch (RuntimeException e) {
            // A command that cannot be applied must not stop the partition: it goes to the dead-letter topic with
            // the reason, and its invocation ends with that failure for whoever waits for it.
            log.error("Processing a command failed; it goes to the dead-letter topic", e);
            String reason = describe(e);
            reject("processing failed: " + reason);
            if (command != null) {
                stateMachine.fail(command.invocationId(), new Failure(500, "Ferry could not process a "
                        + command.getClass().getSimpleName() + " of this invocation: " + reason),
                        replyToOf(command), record.timestamp());
            }
        } finally {
            current = null;
            LogContext.leave();
        }
    }

    /** The invocation this command is about, on every line logged while it is applied. */
    private static void enterLogContext(Command command) {
        LogContext.enter(command.invocationId().toString(), command instanceof Invoke invoke ? invoke.target() : null,
                attemptOf(command));
    }

    /** The attempt a command is about; 0 when it is about the invocation as a whole. */
    private static int attemptOf(Command command) {
        return switch (command) {
            case Completion completion -> completion.attempt();
            case AttemptFailed failed -> failed.attempt();
            case dev.ferry.schemas.commands.JournalAppend append -> append.attempt();
            case dev.ferry.schemas.commands.RenewLease renew -> renew.attempt();
            case dev.ferry.schemas.commands.FireTimer timer -> timer.attempt();
            default -> 0;
        };
    }

    private static void describe(Span span, Command command) {
        span.updateName("process " + command.getClass().getSimpleName());
        span.setAttribute(Tracing.INVOCATION_ID, command.invocationId().toString());
        if (command instanceof Invoke invoke) {
            span.setAttribute(Tracing.SERVICE, invoke.target().service());
            span.setAttribute(Tracing.HANDLER, invoke.target().handler());
        }
        int attempt = attemptOf(command);
        if (attempt > 0) {
            span.setAttribute(Tracing.ATTEMPT, attempt);
        }
    }

    private static String describe(RuntimeException e) {
        return e instanceof UnproducibleRecord ? e.getMessage() : e.toString();
    }

    private static ReplyTo replyToOf(Command command) {
        return switch (command) {
            case Invoke invoke -> invoke.replyTo();
            case dev.ferry.schemas.commands.Attach attach -> attach.replyTo();
            case dev.ferry.schemas.commands.GetOutput output -> output.replyTo();
            case dev.ferry.schemas.commands.Cancel cancel -> cancel.replyTo();
            case dev.ferry.schemas.commands.Kill kill -> kill.replyTo();
            case dev.ferry.schemas.commands.Purge purge -> purge.replyTo();
            case dev.ferry.schemas.commands.Resume resume -> resume.replyTo();
            default -> null;
        };
    }

    /**
     * Only Ferry's ingresses write the requests topic, so only there is a {@code replyTo} trusted: on the log, which
     * direct producers write too, it could name another caller's request and answer it. A submission from the log
     * loses its {@code replyTo} (nobody waits for it); a command that exists only to answer someone is refused.
     */
    private Command withoutReplyTo(Command command, RecordMetadata origin) {
        if (command instanceof Detach) {
            // It names an ingress instance whose waiting callers would stop hearing of their invocation.
            reject("a Detach on " + origin.topic() + ": only Ferry's ingress sends those, on " + topics.requests());
            return null;
        }
        ReplyTo replyTo = replyToOf(command);
        if (replyTo == null) {
            return command;
        }
        if (command instanceof Invoke invoke) {
            log.debug("Ignoring the replyTo of an Invoke on {}", origin.topic());
            return new Invoke(invoke.invocationId(), invoke.target(), invoke.idempotencyKey(), invoke.contentType(),
                    invoke.headers(), invoke.body(), invoke.delay(), invoke.executeAt(), invoke.send(), null,
                    invoke.requireSameRequest(), invoke.createdAt(), invoke.resultTopic(), invoke.caller());
        }
        reject("a " + command.getClass().getSimpleName() + " with a replyTo on " + origin.topic()
                + ": only Ferry's ingress sends those, on " + topics.requests());
        return null;
    }

    /**
     * Dispatch records are keyed by invocation and attempt: each attempt of an invocation lands on a partition of
     * its own, so the retry of an attempt whose dispatcher died is likely taken at once by a live dispatcher,
     * instead of waiting for the group to reassign the dead one's partitions. An abort carries the same key, to
     * reach the dispatcher that runs the attempt.
     */
    private static String dispatchKey(DispatcherCommand command) {
        return dispatchKey(command.invocationId(), command.attempt());
    }

    static String dispatchKey(InvocationId invocationId, int attempt) {
        return invocationId + "/" + attempt;
    }

    /**
     * Reads a record as a command: JSON, a known type, valid against the type's published schema. Anything else is
     * rejected with the reason (and null returned): records may come from any producer.
     */
    private Command read(byte[] value) {
        if (value == null) {
            reject("a record without a value");
            return null;
        }
        // Read once, for the validator (its own Jackson, 3); the command itself is then bound straight from the
        // bytes. This runs for every command: a second tree, or the record decoded into a String first, cost the
        // stream thread a tenth of its time (docs/performance.md).
        tools.jackson.databind.JsonNode tree;
        try {
            tree = RecordSchemas.readForValidation(value);
        } catch (RuntimeException e) {
            reject("not a valid command: not JSON: " + e.getMessage());
            return null;
        }
        if (tree == null || !tree.path("type").isString()) {
            reject("not a valid command: no \"type\" (Invoke, Completion, ...)");
            return null;
        }
        String type = tree.get("type").asString();
        List<String> problems = schemas.problems(type, tree);
        if (!problems.isEmpty()) {
            reject("not a valid " + type + " (schema " + RecordSchemas.BASE + type + ".json): "
                    + String.join("; ", problems));
            return null;
        }
        try {
            return Json.MAPPER.readValue(value, Command.class);
        } catch (IOException | RuntimeException e) {
            String badId = badIdReason(e, treeOrMissing(value));
            reject(badId != null ? badId : "not a valid " + type + ": " + e.getMessage());
            return null;
        }
    }

    /** The record as a (Jackson 2) tree, to point at what {@link #badIdReason} names; only on the failure path. */
    private static JsonNode treeOrMissing(byte[] value) {
        try {
            JsonNode tree = Json.MAPPER.readTree(value);
            return tree == null ? MissingNode.getInstance() : tree;
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /**
     * The reason for a command that could not be read because an invocation id in it is malformed (one that passes
     * the schema's pattern but does not decode, say): {@code bad invocation id '<id>': <why>}, the id as written and
     * the reason {@link InvocationId#parse} gave. Null when that is not why the read failed.
     */
    static String badIdReason(Throwable readFailure, JsonNode tree) {
        for (Throwable cause = readFailure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvocationId.InvalidIdException invalid) {
                JsonNode id = readFailure instanceof JsonMappingException mapping
                        ? tree.at(pointerTo(mapping.getPath()))
                        : MissingNode.getInstance();
                return "bad invocation id" + (id.isTextual() ? " '" + id.asText() + "'" : "") + ": "
                        + invalid.getMessage();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static JsonPointer pointerTo(List<JsonMappingException.Reference> path) {
        JsonPointer pointer = JsonPointer.empty();
        for (JsonMappingException.Reference step : path) {
            pointer = step.getFieldName() != null ? pointer.appendProperty(step.getFieldName())
                    : pointer.appendIndex(step.getIndex());
        }
        return pointer;
    }

    /** Completes a submission (a direct producer's may lack its id, types or execution time) or sends it away. */
    private Invoke checkSubmission(Invoke invoke, RecordMetadata origin, Record<String, byte[]> record) {
        if (invoke.body().size() > settings.limits().maxBodyBytes()) {
            // A direct producer's: the ingress and subscriptions never write one. Carried further, its records could
            // outgrow what the topics take.
            String reason = "the body is " + invoke.body().size() + " bytes, over the limit of "
                    + settings.limits().maxBodyBytes() + " bytes (FERRY_MAX_BODY_SIZE)";
            reject(reason);
            if (invoke.replyTo() != null) {
                reply(invoke.replyTo().ingressId(), Reply.rejected(invoke.replyTo().requestId(),
                        invoke.invocationId(), 413, reason));
            }
            if (invoke.caller() != null) {
                submit(new Notify(invoke.caller().invocationId(), invoke.caller().completionId(), null, null, null,
                        new Failure(413, reason)));
            }
            return null;
        }
        Submissions.Decision decision = Submissions.check(invoke, new Submissions.Origin(origin.topic(),
                origin.partition(), origin.offset(), record.timestamp(), record.key()), settings.registry().get(),
                settings.partitions(), this::resultTopicProblem);
        return switch (decision) {
            case Submissions.Accept accept -> accept.invoke();
            case Submissions.Reroute reroute -> {
                reroute(reroute.invoke());
                yield null;
            }
            case Submissions.Reject rejected -> {
                reject(rejected.reason());
                if (invoke.replyTo() != null) {
                    // Whoever waits for it learns why, rather than waiting forever.
                    reply(invoke.replyTo().ingressId(), Reply.rejected(invoke.replyTo().requestId(),
                            invoke.invocationId(), 400, rejected.reason()));
                }
                if (invoke.caller() != null) {
                    // So does a handler that called it: its call fails with the reason.
                    submit(new Notify(invoke.caller().invocationId(), invoke.caller().completionId(), null, null,
                            null, new Failure(400, rejected.reason())));
                }
                yield null;
            }
        };
    }

    private boolean onItsPartition(InvocationId invocationId, int partition) {
        return Routing.partition(invocationId.partitionKey(), settings.partitions()) == partition;
    }

    /**
     * Null when results may be published on {@code topic}: an allowed topic (see {@link ResultTopics}) that exists.
     * A send to a topic that does not exist would block the stream thread and then abort its transaction.
     */
    private String resultTopicProblem(String topic) {
        String problem = resultTopics.problem(topic);
        if (problem == null && !topic.equals(topics.results())
                && topicLimits.maxRecordBytes(topic) == TopicLimits.MISSING) {
            problem = "the result topic '" + topic + "' does not exist";
        }
        return problem;
    }

    /**
     * Appends the command again, to the topic it came from (a command on the log must not gain the trust of one
     * from an ingress), on the partition its invocation id names.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void reroute(Command command) {
        log.info("Rerouting a {} for {} to its partition", command.getClass().getSimpleName(), command.invocationId());
        Record<String, byte[]> record = new Record<>(command.invocationId().toString(), Json.write(command),
                current.timestamp(), current.headers());
        checkSize(ProcessorTopology.REROUTE_SINK, record);
        // The reroute sink takes the typed id as the key (it writes its text): its partitioner reads the partition
        // key from it rather than parsing the text again. Every other sink takes String keys, hence the raw forward.
        ((ProcessorContext) context).forward(record.withKey(command.invocationId()), ProcessorTopology.REROUTE_SINK);
    }

    /**
     * Forwards a record that the producer can carry; throws {@link UnproducibleRecord} for one it cannot, before
     * anything is sent, so the caller ends the invocation instead of failing the transaction (under exactly-once a
     * failed send aborts the whole transaction, and the same command would be processed and fail again).
     */
    private void forward(String sink, Record<String, byte[]> record) {
        checkSize(sink, record);
        context.forward(record, sink);
    }

    private void checkSize(String sink, Record<String, byte[]> record) {
        long size = sizeOf(record);
        int maxRecordBytes = settings.limits().recordBytes();
        if (size > maxRecordBytes) {
            throw new UnproducibleRecord("a record for " + sink + " would be " + size + " bytes, over Ferry's record"
                    + " limit of " + maxRecordBytes + " bytes");
        }
    }

    private static long sizeOf(Record<String, byte[]> record) {
        long size = RECORD_OVERHEAD_BYTES;
        if (record.key() != null) {
            size += record.key().getBytes(StandardCharsets.UTF_8).length;
        }
        if (record.value() != null) {
            size += record.value().length;
        }
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length) + 10;
        }
        return size;
    }

    /** A record the producer could not carry; the invocation it is for fails with this message. */
    static final class UnproducibleRecord extends RuntimeException {
        UnproducibleRecord(String message) {
            super(message);
        }
    }

    @Override
    public void dispatch(Dispatch dispatch) {
        if (redoing) {
            String key = heldKey(dispatch.invocationId(), dispatch.attempt());
            heldDispatches.put(key, new HeldDispatch(dispatch.invocationId(), dispatch.attempt(),
                    Tracing.tracer() == null ? null : Context.current()));
            redoWork.put(key, RedoWork.HELD_DISPATCH);
            return;
        }
        timerRequests.dispatched(dispatch.invocationId(), dispatch.attempt(), context.currentSystemTimeMs());
        forward(ProcessorTopology.DISPATCH_SINK, new Record<>(dispatchKey(dispatch), Json.write(dispatch),
                context.currentSystemTimeMs(), Tracing.recordHeaders()));
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void submit(Command command) {
        Record<String, byte[]> record = new Record<>(command.invocationId().toString(), Json.write(command),
                context.currentSystemTimeMs(), Tracing.recordHeaders());
        checkSize(ProcessorTopology.LOG_SINK, record);
        // As for the reroute sink: the typed id is the key, its partitioner reads the partition key from it.
        ((ProcessorContext) context).forward(record.withKey(command.invocationId()), ProcessorTopology.LOG_SINK);
    }

    @Override
    public void abort(AbortAttempt abort) {
        forward(ProcessorTopology.DISPATCH_SINK,
                new Record<>(dispatchKey(abort), Json.write(abort), context.currentSystemTimeMs()));
    }

    /** {@code ferry_invocations_completed_total{service,handler,outcome}}: succeeded, failed, killed or cancelled. */
    @Override
    public void completed(Target target, Outcome outcome) {
        String result = outcome.succeeded() ? "succeeded"
                : outcome.failure().equals(StateMachine.KILLED) ? "killed"
                : outcome.failure().equals(StateMachine.CANCELLED) ? "cancelled"
                : "failed";
        meters.counter("ferry.invocations.completed",
                "service", target.service(), "handler", target.handler(), "outcome", result).increment();
    }

    @Override
    public void publish(String topic, InvocationResult result) {
        String problem = resultTopicProblem(topic);
        if (problem != null) {
            // Checked on submission already; the topic may have gone since, or the setting changed.
            deadLetterValue(result.invocationId().toString(), Json.write(result), DeadLetters.UNPUBLISHABLE_RESULT,
                    problem);
            return;
        }
        Headers headers = new RecordHeaders().add(ProcessorTopology.RESULT_TOPIC_HEADER,
                topic.getBytes(StandardCharsets.UTF_8));
        Record<String, byte[]> record = new Record<>(result.invocationId().toString(), Json.write(result),
                context.currentSystemTimeMs(), headers);
        if (!topic.equals(topics.results())) {
            // A topic of the user's may take smaller records than Ferry's own: the broker would refuse the result
            // and with it the transaction. The invocation fails instead (its failure is small enough).
            int limit = topicLimits.maxRecordBytes(topic);
            long size = sizeOf(record);
            if (size > limit) {
                throw new UnproducibleRecord("its result would be " + size + " bytes, over the " + limit
                        + " bytes the result topic '" + topic + "' takes (max.message.bytes)");
            }
        }
        forward(ProcessorTopology.RESULTS_SINK, record);
    }

    @Override
    public void deadLetter(FailedInvocation failed) {
        // Not a copy of something that went wrong but an output a service asked for (dead_letter_failures): its
        // input travels intact, as every record that carries a body within the limit does.
        Headers headers = new RecordHeaders()
                .add(DeadLetters.KIND, DeadLetters.FAILED_INVOCATION.getBytes(StandardCharsets.UTF_8))
                .add(DeadLetters.REASON, ("[" + failed.failure().code() + "] " + failed.failure().message())
                        .getBytes(StandardCharsets.UTF_8));
        forward(ProcessorTopology.DEAD_LETTER_SINK, new Record<>(failed.invocationId().toString(), Json.write(failed),
                context.currentSystemTimeMs(), headers));
    }

    @Override
    public void reply(String ingressId, Reply reply) {
        forward(ProcessorTopology.REPLIES_SINK, new Record<>(ingressId, Json.write(reply), context.currentSystemTimeMs()));
    }

    @Override
    public void reject(String reason) {
        if (current == null) {
            log.error("A timer's work was rejected: {}", reason);
            return;
        }
        log.warn("Command sent to the dead-letter topic: {}", reason);
        Headers headers = new RecordHeaders();
        addOriginalHeaders(headers, current.headers());
        context.recordMetadata().ifPresent(meta -> addOrigin(headers, meta));
        deadLetter(current.key(), current.value(), current.timestamp(), headers, DeadLetters.REJECTED_RECORD, reason);
    }

    @Override
    public void timerFailed(Timer timer, String reason) {
        log.error("Timer failed; its invocation ends: {}", reason);
        deadLetterValue(timer.invocationId().toString(), Json.write(timer), DeadLetters.FAILED_TIMER, reason);
    }

    @Override
    public void unprocessable(InvocationId invocationId, String reason) {
        log.error("Could not end invocation {}: {}", invocationId, reason);
        deadLetterValue(invocationId == null ? null : invocationId.toString(), null, DeadLetters.UNPROCESSABLE, reason);
    }

    private void deadLetterValue(String key, byte[] value, String kind, String reason) {
        deadLetter(key, value, context.currentSystemTimeMs(), new RecordHeaders(), kind, reason);
    }

    /**
     * Writes a bounded copy to the dead-letter topic: the value cut at {@value #DEAD_LETTER_VALUE_BYTES} bytes, the
     * key and original headers bounded too, and the kind, the reason and what was cut in headers. Whatever could
     * not be processed, this record can always be written.
     */
    private void deadLetter(String key, byte[] value, long timestamp, Headers headers, String kind, String reason) {
        String boundedKey = key;
        if (key != null && key.length() > DEAD_LETTER_KEY_CHARS) {
            boundedKey = key.substring(0, DEAD_LETTER_KEY_CHARS);
            reason += " (key cut from " + key.length() + " characters)";
        }
        byte[] boundedValue = value;
        if (value != null && value.length > DEAD_LETTER_VALUE_BYTES) {
            boundedValue = Arrays.copyOf(value, DEAD_LETTER_VALUE_BYTES);
            headers.add(DeadLetters.ORIGINAL_SIZE, Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
            reason += " (value cut from " + value.length + " bytes to " + DEAD_LETTER_VALUE_BYTES + ")";
        }
        if (reason.length() > DEAD_LETTER_KEY_CHARS * 8) {
            reason = reason.substring(0, DEAD_LETTER_KEY_CHARS * 8) + "...";
        }
        headers.add(DeadLetters.KIND, kind.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(boundedKey, boundedValue, timestamp, headers), ProcessorTopology.DEAD_LETTER_SINK);
    }

    /** The record's own headers, as many as fit in {@value #DEAD_LETTER_HEADER_BYTES} bytes. */
    private static void addOriginalHeaders(Headers copy, Headers original) {
        long size = 0;
        int dropped = 0;
        for (Header header : original) {
            long headerSize = header.key().length() + (header.value() == null ? 0 : header.value().length);
            if (size + headerSize > DEAD_LETTER_HEADER_BYTES) {
                dropped++;
                continue;
            }
            size += headerSize;
            copy.add(header);
        }
        if (dropped > 0) {
            copy.add(DeadLetters.DROPPED_HEADERS, Integer.toString(dropped).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void addOrigin(Headers headers, RecordMetadata meta) {
        headers.add(DeadLetters.TOPIC, meta.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.PARTITION, Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.OFFSET, Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
    }
}
