package dev.ferry.processor;

import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.journal.JournalCompletion;
import java.util.ArrayList;
import java.util.List;

/**
 * One durable promise of a workflow key (the value of the promises store, keyed by the key's lock and the promise's
 * name): completed with a value or a failure, or not yet, with the journal completions that wait for it. A promise
 * is completed once; its waiters are told then.
 *
 * @param completed whether it is completed; then exactly one of {@code value} (possibly empty) and {@code failure}
 */
public record WorkflowPromise(boolean completed, Payload value, Failure failure, List<JournalCompletion> waiting) {
    public WorkflowPromise {
        value = value == null ? Payload.EMPTY : value;
        waiting = waiting == null ? List.of() : List.copyOf(waiting);
    }

    static final WorkflowPromise PENDING = new WorkflowPromise(false, null, null, null);

    WorkflowPromise awaitedBy(JournalCompletion waiter) {
        List<JournalCompletion> more = new ArrayList<>(waiting);
        more.add(waiter);
        return new WorkflowPromise(false, null, null, more);
    }

    static WorkflowPromise completedWith(Payload value, Failure failure) {
        return new WorkflowPromise(true, failure == null ? value : null, failure, null);
    }

    /** The store key: the lock, then a NUL (which neither a key nor a name can make ambiguous), then the name. */
    static String key(String lock, String name) {
        return lock + '\u0000' + name;
    }
}
