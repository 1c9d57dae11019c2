package dev.ferry.client;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Detach;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor asked over Kafka: a command is appended to the requests topic, a query sent on the queries topic,
 * and the answer comes back on this process's replies partition ({@link ReplyListener} hands it to {@link Waiters}).
 */
public final class KafkaProcessorClient implements ProcessorClient {
    private static final Logger log = LoggerFactory.getLogger(KafkaProcessorClient.class);

    private final String ingressId;
    private final CommandLog commandLog;
    private final Waiters waiters;
    private final InvocationQueries queries;

    /**
     * @param ingressId this process's address on the replies topic
     * @param commandLog appends to the requests topic, the only one whose {@code replyTo} the processor honours
     */
    public KafkaProcessorClient(String ingressId, CommandLog commandLog, Waiters waiters, InvocationQueries queries) {
        this.ingressId = ingressId;
        this.commandLog = commandLog;
        this.waiters = waiters;
        this.queries = queries;
    }

    @Override
    public Listing list(Filter filter, InvocationCursor after, int limit, Duration maxWait) {
        return queries.list(filter, after, limit, maxWait);
    }

    @Override
    public Optional<Reply> describe(InvocationId invocationId, Duration maxWait) {
        return queries.describe(invocationId, maxWait);
    }

    @Override
    public Optional<Reply> describeState(String service, String key, Duration maxWait) {
        return queries.describeState(service, key, maxWait);
    }

    @Override
    public void tell(Command command) {
        await(commandLog.append(command), null);
    }

    @Override
    public Optional<Reply> ask(Function<ReplyTo, Command> command, Duration maxWait) {
        String requestId = waiters.nextRequestId();
        CompletableFuture<Reply> answer = waiters.register(requestId);
        try {
            failOnAppendError(commandLog.append(command.apply(new ReplyTo(ingressId, requestId))), answer);
            return Optional.ofNullable(await(answer, maxWait));
        } finally {
            answer.cancel(false);
        }
    }

    @Override
    public Optional<Reply> askAbout(InvocationId invocationId, Function<ReplyTo, Command> command, Duration maxWait,
            BooleanSupplier callerGone) {
        String requestId = waiters.nextRequestId();
        List<CompletableFuture<RecordMetadata>> appended = new ArrayList<>(1);
        CompletableFuture<Reply> answer = waiters.waitFor(invocationId, requestId,
                () -> appended.add(commandLog.append(command.apply(new ReplyTo(ingressId, requestId)))),
                () -> detach(invocationId));
        try {
            failOnAppendError(appended.get(0), answer);
            long deadline = maxWait == null ? Long.MAX_VALUE : System.nanoTime() + maxWait.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                Reply reply = await(answer, Duration.ofNanos(Math.min(left, CALLER_CHECK.toNanos())));
                if (reply != null) {
                    return Optional.of(reply);
                }
                if (callerGone.getAsBoolean()) {
                    return Optional.empty();
                }
            }
        } finally {
            answer.cancel(false);
        }
    }

    /**
     * The caller waits for the answer only, not first for the broker's acknowledgement of its command: no answer comes
     * before the command is in the log, and a failed append ends the wait as it would have. One wake-up of the
     * caller's thread a call instead of two.
     */
    private static void failOnAppendError(CompletableFuture<RecordMetadata> appended, CompletableFuture<Reply> answer) {
        appended.whenComplete((metadata, error) -> {
            if (error != null) {
                answer.completeExceptionally(error);
            }
        });
    }

    private void detach(InvocationId invocationId) {
        commandLog.append(new Detach(invocationId, ingressId)).whenComplete((metadata, error) -> {
            if (error != null) {
                // The processor keeps this instance as waiting: it sends the result once for nobody, no more.
                log.warn("Could not tell the processor that nobody here waits for {}: {}", invocationId,
                        error.getMessage());
            }
        });
    }

    /** Waits for a future; null on timeout. Failures become 503 answers: the log could not be reached. */
    private static <T> T await(CompletableFuture<T> future, Duration maxWait) {
        try {
            return maxWait == null ? future.get() : BoundedWaits.await(future, maxWait.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessorUnavailable(503, "the ingress is shutting down");
        } catch (ExecutionException e) {
            throw new ProcessorUnavailable(503, "could not reach the command log: " + e.getCause().getMessage());
        }
    }
}
