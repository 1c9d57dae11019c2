package dev.ferry.ingress;

import dev.ferry.schemas.CommandLog;
import dev.ferry.schemas.Reply;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.command.Command;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * How the ingress talks to the processor: append a command to the log, and (for a question) wait for the answer
 * that comes back on this instance's replies partition.
 */
public final class ProcessorClient {
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
