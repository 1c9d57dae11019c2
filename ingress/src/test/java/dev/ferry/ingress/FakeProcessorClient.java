package dev.ferry.ingress;

import dev.ferry.client.ProcessorClient;
import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A stand-in for the processor: records what the ingress tells and asks it, and answers at once with what the test
 * says (a reply built from the command, no reply as when the wait passed, or {@link ProcessorUnavailable}).
 */
final class FakeProcessorClient implements ProcessorClient {
    static final String INGRESS_ID = "ingress-under-test";

    /**
     * One question: the command built for its reply address, how long the ingress would wait, and for
     * {@link #askAbout} the invocation it waits for (null for {@link #ask}).
     */
    record Asked(Command command, Duration maxWait, InvocationId about) {}

    private final List<Command> told = new CopyOnWriteArrayList<>();
    private final List<Asked> asked = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Function<Command, Optional<Reply>> answers = FakeProcessorClient::unexpected;
    private volatile ProcessorUnavailable unavailable;

    /** Answers every question with {@code reply}, given the command asked and its reply address. */
    FakeProcessorClient answering(Function<Command, Reply> reply) {
        answers = command -> Optional.of(reply.apply(command));
        return this;
    }

    /** Answers nothing, as when the caller's wait passes before the processor answers. */
    FakeProcessorClient answeringNothing() {
        answers = command -> Optional.empty();
        return this;
    }

    /** Throws {@code failure} for anything told or asked. */
    FakeProcessorClient unavailable(ProcessorUnavailable failure) {
        unavailable = failure;
        return this;
    }

    void reset() {
        told.clear();
        asked.clear();
        answers = FakeProcessorClient::unexpected;
        unavailable = null;
    }

    List<Command> told() {
        return List.copyOf(told);
    }

    List<Asked> asked() {
        return List.copyOf(asked);
    }

    /** The only question asked; fails when there was none or more. */
    Asked onlyAsked() {
        List<Asked> all = asked();
        if (all.size() != 1) {
            throw new AssertionError("expected one question to the processor, got " + all);
        }
        return all.get(0);
    }

    @Override
    public void tell(Command command) {
        throwIfUnavailable();
        told.add(command);
    }

    @Override
    public Optional<Reply> ask(Function<ReplyTo, Command> command, Duration maxWait) {
        return record(command, maxWait, null);
    }

    @Override
    public Optional<Reply> askAbout(InvocationId invocationId, Function<ReplyTo, Command> command, Duration maxWait,
            BooleanSupplier callerGone) {
        return record(command, maxWait, invocationId);
    }

    @Override
    public Listing list(Filter filter, InvocationCursor after, int limit, Duration maxWait) {
        throw new AssertionError("the ingress does not list invocations");
    }

    @Override
    public Optional<Reply> describe(InvocationId invocationId, Duration maxWait) {
        throw new AssertionError("the ingress does not describe invocations");
    }

    private Optional<Reply> record(Function<ReplyTo, Command> build, Duration maxWait, InvocationId about) {
        throwIfUnavailable();
        Command command = build.apply(new ReplyTo(INGRESS_ID, "request-" + requests.incrementAndGet()));
        asked.add(new Asked(command, maxWait, about));
        return answers.apply(command);
    }

    private void throwIfUnavailable() {
        ProcessorUnavailable failure = unavailable;
        if (failure != null) {
            throw failure;
        }
    }

    private static Optional<Reply> unexpected(Command command) {
        throw new AssertionError("the test did not expect the processor to be asked: " + command);
    }
}
