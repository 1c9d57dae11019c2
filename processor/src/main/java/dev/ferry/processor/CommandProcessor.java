package dev.ferry.processor;

import dev.ferry.schemas.DeadLetters;
import dev.ferry.schemas.AbortAttempt;
import dev.ferry.schemas.Dispatch;
import dev.ferry.schemas.FailedInvocation;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.DispatcherCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Outcome;
import dev.ferry.schemas.Target;
import io.micrometer.core.instrument.MeterRegistry;
import dev.ferry.schemas.RecordSchemas;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.command.Command;
import dev.ferry.schemas.command.Invoke;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams edge of the state machine: reads commands from the log, hands them to {@link StateMachine}
 * with the task's stores, and turns its effects into records on the dispatch, replies and dead-letter topics.
 * A wall-clock punctuator fires due timers, so delays, retries, leases and retention run on real time even when
 * no record arrives.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]>, Effects {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final ProcessorSettings settings;
    private final RecordSchemas schemas;
    private final String resultsTopic;
    private final MeterRegistry meters;
    private ProcessorContext<String, byte[]> context;
    private StateMachine stateMachine;
    /** The record being processed, for {@link #reject}. */
    private Record<String, byte[]> current;

    CommandProcessor(ProcessorSettings settings, RecordSchemas schemas, String resultsTopic, MeterRegistry meters) {
        this.settings = settings;
        this.schemas = schemas;
        this.resultsTopic = resultsTopic;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        KeyValueStore<String, InvocationState> invocations = context.getStateStore(ProcessorTopology.INVOCATIONS);
        KeyValueStore<String, StoredInput> inputs = context.getStateStore(ProcessorTopology.INPUTS);
        KeyValueStore<String, byte[]> timers = context.getStateStore(ProcessorTopology.TIMERS);
        KeyValueStore<String, Inbox> inboxes = context.getStateStore(ProcessorTopology.INBOXES);
        KeyValueStore<String, byte[]> invocationsByTime = context.getStateStore(ProcessorTopology.INVOCATIONS_BY_TIME);
        StoreBackedState state = new StoreBackedState(invocations, inputs, timers, inboxes, invocationsByTime);
        int indexed = state.indexIfUnindexed();
        if (indexed > 0) {
            log.info("Indexed the {} invocations of task {} by creation time (state from before the index)", indexed,
                    context.taskId());
        }
        stateMachine = new StateMachine(state, this, settings.policies(), settings.lease(), resultsTopic);
        context.schedule(settings.timerTick(), PunctuationType.WALL_CLOCK_TIME,
                now -> stateMachine.fireDueTimers(context.currentSystemTimeMs()));
    }

    @Override
    public void process(Record<String, byte[]> record) {
        current = record;
        try {
            Command command = read(record.value());
            if (command == null) {
                return; // rejected
            }
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            if (command instanceof Invoke invoke) {
                command = checkSubmission(invoke, origin, record);
            } else if (!onItsPartition(command.invocationId(), origin.partition())) {
                reroute(command);
                return;
            }
            if (command != null) {
                stateMachine.apply(command, context.currentSystemTimeMs());
            }
        } catch (KafkaException e) {
            throw e; // the stream thread's own failures: Kafka Streams recovers from these
        } catch (RuntimeException e) {
            // A bug in the decision logic must not stop the partition: park the command with the reason.
            log.error("Processing a command failed; it goes to the dead-letter topic", e);
            reject("processing failed: " + e);
        } finally {
            current = null;
        }
    }

    /**
     * Dispatch records are keyed by invocation and attempt: each attempt of an invocation lands on a partition of
     * its own, so the retry of an attempt whose dispatcher died is likely taken at once by a live dispatcher,
     * instead of waiting for the group to reassign the dead one's partitions. An abort carries the same key, to
     * reach the dispatcher that runs the attempt.
     */
    private static String dispatchKey(DispatcherCommand command) {
        return command.invocationId() + "/" + command.attempt();
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
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            reject("not a valid command: not JSON: " + e.getMessage());
            return null;
        }
        if (tree == null || !tree.path("type").isTextual()) {
            reject("not a valid command: no \"type\" (Invoke, Completion, ...)");
            return null;
        }
        String type = tree.get("type").asText();
        List<String> problems = schemas.problems(type, new String(value, StandardCharsets.UTF_8));
        if (!problems.isEmpty()) {
            reject("not a valid " + type + " (schema " + RecordSchemas.BASE + type + ".json): "
                    + String.join("; ", problems));
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(tree, Command.class);
        } catch (IOException | RuntimeException e) {
            reject("not a valid " + type + ": " + e.getMessage());
            return null;
        }
    }

    /** Completes a submission (a direct producer's may lack its id, types or execution time) or sends it away. */
    private Invoke checkSubmission(Invoke invoke, RecordMetadata origin, Record<String, byte[]> record) {
        Submissions.Decision decision = Submissions.check(invoke, new Submissions.Origin(origin.topic(),
                origin.partition(), origin.offset(), record.timestamp(), record.key()), settings.registry().get(),
                settings.partitions());
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
                yield null;
            }
        };
    }

    private boolean onItsPartition(String invocationId, int partition) {
        try {
            return Routing.partition(InvocationId.parse(invocationId).partitionKey(), settings.partitions())
                    == partition;
        } catch (InvocationId.InvalidIdException e) {
            return true; // the state machine rejects it with the reason
        }
    }

    /** Appends the command to the log again, on the partition its invocation id names. */
    private void reroute(Command command) {
        log.info("Rerouting a {} for {} to its partition", command.getClass().getSimpleName(), command.invocationId());
        context.forward(new Record<>(command.invocationId(), Json.write(command), current.timestamp(),
                current.headers()), ProcessorTopology.REROUTE_SINK);
    }

    @Override
    public void dispatch(Dispatch dispatch) {
        context.forward(new Record<>(dispatchKey(dispatch), Json.write(dispatch), context.currentSystemTimeMs()),
                ProcessorTopology.DISPATCH_SINK);
    }

    @Override
    public void abort(AbortAttempt abort) {
        context.forward(new Record<>(dispatchKey(abort), Json.write(abort), context.currentSystemTimeMs()),
                ProcessorTopology.DISPATCH_SINK);
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
        Headers headers = new RecordHeaders().add(ProcessorTopology.RESULT_TOPIC_HEADER,
                topic.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(result.invocationId(), Json.write(result), context.currentSystemTimeMs(), headers),
                ProcessorTopology.RESULTS_SINK);
    }

    @Override
    public void deadLetter(FailedInvocation failed) {
        Headers headers = new RecordHeaders()
                .add(DeadLetters.KIND, DeadLetters.FAILED_INVOCATION.getBytes(StandardCharsets.UTF_8))
                .add(DeadLetters.REASON, ("[" + failed.failure().code() + "] " + failed.failure().message())
                        .getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(failed.invocationId(), Json.write(failed), context.currentSystemTimeMs(), headers),
                ProcessorTopology.DEAD_LETTER_SINK);
    }

    @Override
    public void reply(String ingressId, Reply reply) {
        context.forward(new Record<>(ingressId, Json.write(reply), context.currentSystemTimeMs()),
                ProcessorTopology.REPLIES_SINK);
    }

    @Override
    public void reject(String reason) {
        if (current == null) {
            log.error("A timer's work was rejected: {}", reason);
            return;
        }
        log.warn("Command sent to the dead-letter topic: {}", reason);
        Headers headers = new RecordHeaders(current.headers().toArray());
        headers.add(DeadLetters.KIND, DeadLetters.REJECTED_RECORD.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
        context.recordMetadata().ifPresent(meta -> addOrigin(headers, meta));
        context.forward(new Record<>(current.key(), current.value(), current.timestamp(), headers),
                ProcessorTopology.DEAD_LETTER_SINK);
    }

    private static void addOrigin(Headers headers, RecordMetadata meta) {
        headers.add(DeadLetters.TOPIC, meta.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.PARTITION, Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.OFFSET, Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
    }

}
