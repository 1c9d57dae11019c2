package dev.ferry.processor;

import dev.ferry.schemas.AbortAttempt;
import dev.ferry.schemas.Dispatch;
import dev.ferry.schemas.DispatcherCommand;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.command.Command;
import dev.ferry.schemas.command.ListInvocations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    private ProcessorContext<String, byte[]> context;
    private StateMachine stateMachine;
    /** The record being processed, for {@link #reject}. */
    private Record<String, byte[]> current;

    CommandProcessor(ProcessorSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        KeyValueStore<String, InvocationState> invocations = context.getStateStore(ProcessorTopology.INVOCATIONS);
        KeyValueStore<String, StoredInput> inputs = context.getStateStore(ProcessorTopology.INPUTS);
        KeyValueStore<String, byte[]> timers = context.getStateStore(ProcessorTopology.TIMERS);
        KeyValueStore<String, Inbox> inboxes = context.getStateStore(ProcessorTopology.INBOXES);
        stateMachine = new StateMachine(new StoreBackedState(invocations, inputs, timers, inboxes), this,
                settings.policies(), settings.lease());
        context.schedule(settings.timerTick(), PunctuationType.WALL_CLOCK_TIME,
                now -> stateMachine.fireDueTimers(context.currentSystemTimeMs()));
    }

    @Override
    public void process(Record<String, byte[]> record) {
        current = record;
        try {
            Command command;
            try {
                command = Json.read(record.value(), Command.class);
            } catch (IOException | RuntimeException e) {
                reject("not a valid command: " + e.getMessage());
                return;
            }
            if (command instanceof ListInvocations list && context.recordMetadata().isPresent()
                    && context.recordMetadata().get().partition() != list.partition()) {
                // Answers are per partition; one that landed elsewhere would answer for the wrong one.
                reject("a ListInvocations for partition " + list.partition() + " on partition "
                        + context.recordMetadata().get().partition());
                return;
            }
            stateMachine.apply(command, context.currentSystemTimeMs());
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
