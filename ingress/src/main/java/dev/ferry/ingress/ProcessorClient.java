package dev.ferry.ingress;

import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.replies.Reply;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Detach;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the ingress talks to the processor: append a command to the log, and (for a question) wait for the answer
 * that comes back on this instance's replies partition.
 */
public final class ProcessorClient {
    private static final Logger log = LoggerFactory.getLogger(ProcessorClient.class);
    /** How often a request waiting for a result looks whether its caller is still there. */
    static final Duration CALLER_CHECK = Duration.ofSeconds(1);

    private final String ingressId;
    private final CommandLog commandLog;
    private final Waiters waiters;

    public ProcessorClient(String ingressId, CommandLog commandLog, Waiters waiters) {
        this.ingressId = ingressId;
        this.commandLog = commandLog;
        this.waiters = waiters;
    }

    /** Appends a command nobody waits an answer for; returns once the log has it. */
    public void tell(Command command) {
        await(commandLog.append(command), null);
    }

    /**
     * Appends the command built for a fresh reply address and waits for the processor's answer.
     *
     * @param maxWait how long to wait for the answer once the log has the command; null to wait until it comes
     * @return the answer, or empty when {@code maxWait} passed first
     */
    public Optional<Reply> ask(Function<ReplyTo, Command> command, Duration maxWait) {
        String requestId = waiters.nextRequestId();
        CompletableFuture<Reply> answer = waiters.register(requestId);
        try {
            await(commandLog.append(command.apply(new ReplyTo(ingressId, requestId))), null);
            return Optional.ofNullable(await(answer, maxWait));
        } finally {
            answer.cancel(false);
        }
    }

    /**
     * Appends the command built for a fresh reply address and waits for the answer to it or for the invocation's
     * result, whichever comes first: for calls and attaches, whose answer is usually the result. When the caller
     * stops waiting (the wait passed, the request ended) and no other request here waits for the invocation, the
     * processor is told with a {@link Detach}, so it forgets this instance.
     *
     * @param maxWait how long to wait for the answer once the log has the command; null to wait until it comes
     * @param callerGone asked every {@link #CALLER_CHECK} while waiting: true when the caller has gone away
     * @return the answer, or empty when {@code maxWait} passed first or the caller went away
     * @throws IngressError 429 when too many requests here wait for the invocation already
     */
    public Optional<Reply> askAbout(String invocationId, Function<ReplyTo, Command> command, Duration maxWait,
            BooleanSupplier callerGone) {
        String requestId = waiters.nextRequestId();
        List<CompletableFuture<RecordMetadata>> appended = new ArrayList<>(1);
        CompletableFuture<Reply> answer = waiters.waitFor(invocationId, requestId,
                () -> appended.add(commandLog.append(command.apply(new ReplyTo(ingressId, requestId)))),
                () -> detach(invocationId));
        try {
            await(appended.get(0), null);
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

    private void detach(String invocationId) {
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
            return maxWait == null ? future.get() : future.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IngressError.ingress(503, "the ingress is shutting down");
        } catch (ExecutionException e) {
            throw IngressError.ingress(503, "could not reach the command log: " + e.getCause().getMessage());
        }
    }
}
