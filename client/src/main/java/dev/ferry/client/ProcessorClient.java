package dev.ferry.client;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What the ingress and the admin API ask of the processor. {@link KafkaProcessorClient} does it over Kafka: commands
 * appended to the log, queries on the queries topic, answers on this process's replies partition. The handlers
 * depend on this interface only, so they are unit-tested with a stand-in that answers at once.
 *
 * <p>Every method throws {@link ProcessorUnavailable} when the processor cannot be asked.
 */
public interface ProcessorClient {
    /** How often a request waiting for a result looks whether its caller is still there. */
    Duration CALLER_CHECK = Duration.ofSeconds(1);

    /** Appends a command nobody waits an answer for; returns once the log has it. */
    void tell(Command command);

    /**
     * Appends the command built for a fresh reply address and waits for the processor's answer.
     *
     * @param maxWait how long to wait for the answer once the log has the command; null to wait until it comes
     * @return the answer, or empty when {@code maxWait} passed first
     */
    Optional<Reply> ask(Function<ReplyTo, Command> command, Duration maxWait);

    /**
     * Appends the command built for a fresh reply address and waits for the answer to it or for the invocation's
     * result, whichever comes first: for calls and attaches, whose answer is usually the result. When the caller
     * stops waiting and no other request here waits for the invocation, the processor is told, so it forgets this
     * process.
     *
     * @param maxWait how long to wait for the answer once the log has the command; null to wait until it comes
     * @param callerGone asked every {@link #CALLER_CHECK} while waiting: true when the caller has gone away
     * @return the answer, or empty when {@code maxWait} passed first or the caller went away
     * @throws ProcessorUnavailable 429 when too many requests here wait for the invocation already
     */
    Optional<Reply> askAbout(InvocationId invocationId, Function<ReplyTo, Command> command, Duration maxWait,
            BooleanSupplier callerGone);

    /**
     * Up to {@code limit} invocations after {@code after} (null: from the newest), merged from every partition's
     * answer that came within {@code maxWait}. Nothing is appended to the command log.
     */
    Listing list(Filter filter, InvocationCursor after, int limit, Duration maxWait);

    /** The invocation's view from the processor that hosts its partition; empty when none answered in time. */
    Optional<Reply> describe(InvocationId invocationId, Duration maxWait);

    /**
     * The state of a virtual object or workflow key, read-only, from the processor that hosts the key's partition
     * (the key's {@link dev.ferry.schemas.Routing#partition(String, int) partition}): a {@link Reply.Kind#STATE}
     * reply, or a {@link Reply.Kind#REJECTED} one; empty when none answered in time. Nothing is appended to the
     * command log.
     */
    default Optional<Reply> describeState(String service, String key, Duration maxWait) {
        throw new UnsupportedOperationException("this client does not read object state");
    }

    /** What to list; null fields match anything. */
    record Filter(String status, String service, String handler, String key) {}

    /**
     * One page of a list.
     *
     * @param next where the next page starts ({@code next_before}); null when nothing follows
     * @param partial some partition did not answer in time
     */
    record Listing(List<InvocationView> invocations, InvocationCursor next, boolean partial) {}
}
