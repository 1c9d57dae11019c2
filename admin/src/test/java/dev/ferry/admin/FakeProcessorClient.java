package dev.ferry.admin;

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
 * A stand-in for the processor as the admin API asks it: records the commands, lists and describes, and answers at
 * once with what the test says, or throws {@link ProcessorUnavailable}.
 */
final class FakeProcessorClient implements ProcessorClient {
    static final String INGRESS_ID = "admin-under-test";

    /** One command asked, built for its reply address, and how long the admin API would wait for the answer. */
    record Asked(Command command, Duration maxWait) {}

    /** One list asked. */
    record Listed(Filter filter, InvocationCursor after, int limit, Duration maxWait) {}

    /** One describe asked. */
    record Described(InvocationId invocationId, Duration maxWait) {}

    /** One read of a key's state asked. */
    record StateRead(String service, String key, Duration maxWait) {}

    private final List<Asked> asked = new CopyOnWriteArrayList<>();
    private final List<Listed> listed = new CopyOnWriteArrayList<>();
    private final List<Described> described = new CopyOnWriteArrayList<>();
    private final List<StateRead> stateReads = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Function<Command, Reply> answers;
    private volatile Listing listing;
    private volatile Optional<Reply> description;
    private volatile Optional<Reply> state;
    private volatile ProcessorUnavailable unavailable;

    /** Answers every command with the reply built from it. */
    FakeProcessorClient answering(Function<Command, Reply> reply) {
        answers = reply;
        return this;
    }

    /** Answers every list with this page. */
    FakeProcessorClient listing(Listing page) {
        listing = page;
        return this;
    }

    /** Answers every describe with this reply; empty as when no processor answered in time. */
    FakeProcessorClient describing(Optional<Reply> reply) {
        description = reply;
        return this;
    }

    /** Answers every read of a key's state with this reply; empty as when no processor answered in time. */
    FakeProcessorClient state(Optional<Reply> reply) {
        state = reply;
        return this;
    }

    /** Throws {@code failure} for anything asked. */
    FakeProcessorClient unavailable(ProcessorUnavailable failure) {
        unavailable = failure;
        return this;
    }

    void reset() {
        asked.clear();
        listed.clear();
        described.clear();
        stateReads.clear();
        answers = null;
        listing = null;
        description = null;
        state = null;
        unavailable = null;
    }

    List<Asked> asked() {
        return List.copyOf(asked);
    }

    List<Listed> listed() {
        return List.copyOf(listed);
    }

    List<Described> described() {
        return List.copyOf(described);
    }

    List<StateRead> stateReads() {
        return List.copyOf(stateReads);
    }

    /** True when nothing at all was asked of the processor. */
    boolean untouched() {
        return asked.isEmpty() && listed.isEmpty() && described.isEmpty() && stateReads.isEmpty();
    }

    @Override
    public void tell(Command command) {
        throw new AssertionError("the admin API tells the processor nothing without waiting: " + command);
    }

    @Override
    public Optional<Reply> ask(Function<ReplyTo, Command> command, Duration maxWait) {
        throwIfUnavailable();
        Command built = command.apply(new ReplyTo(INGRESS_ID, "request-" + requests.incrementAndGet()));
        asked.add(new Asked(built, maxWait));
        return Optional.of(expected(answers, "a command").apply(built));
    }

    @Override
    public Optional<Reply> askAbout(InvocationId invocationId, Function<ReplyTo, Command> command, Duration maxWait,
            BooleanSupplier callerGone) {
        throw new AssertionError("the admin API does not wait for results");
    }

    @Override
    public Listing list(Filter filter, InvocationCursor after, int limit, Duration maxWait) {
        throwIfUnavailable();
        listed.add(new Listed(filter, after, limit, maxWait));
        return expected(listing, "a list");
    }

    @Override
    public Optional<Reply> describe(InvocationId invocationId, Duration maxWait) {
        throwIfUnavailable();
        described.add(new Described(invocationId, maxWait));
        return expected(description, "a describe");
    }

    @Override
    public Optional<Reply> describeState(String service, String key, Duration maxWait) {
        throwIfUnavailable();
        stateReads.add(new StateRead(service, key, maxWait));
        return expected(state, "a read of state");
    }

    private void throwIfUnavailable() {
        ProcessorUnavailable failure = unavailable;
        if (failure != null) {
            throw failure;
        }
    }

    private static <T> T expected(T answer, String what) {
        if (answer == null) {
            throw new AssertionError("the test did not expect " + what + " to be asked of the processor");
        }
        return answer;
    }
}
