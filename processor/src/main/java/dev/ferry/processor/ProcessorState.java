package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import java.util.List;

/**
 * The state the state machine reads and changes, one partition's worth. Kafka Streams key-value stores back it
 * in production ({@link StoreBackedState}); plain maps back it in tests.
 */
public interface ProcessorState {
    InvocationState invocation(InvocationId invocationId);

    void put(InvocationState invocation);

    void delete(InvocationId invocationId);

    StoredInput input(InvocationId invocationId);

    /** The invocation's request: kept in its state when small, in the inputs store otherwise. */
    default StoredInput input(InvocationState invocation) {
        StoredInput kept = invocation.keptInput();
        return kept != null ? kept : input(invocation.invocationId());
    }

    void putInput(InvocationId invocationId, StoredInput input);

    void deleteInput(InvocationId invocationId);

    Inbox inbox(String lock);

    void putInbox(String lock, Inbox inbox);

    void deleteInbox(String lock);

    /** The invocation queued at {@code sequence} in the inbox of {@code lock}; null when none is. */
    InvocationId inboxEntry(String lock, long sequence);

    void putInboxEntry(String lock, long sequence, InvocationId invocationId);

    void deleteInboxEntry(String lock, long sequence);

    void addTimer(Timer timer);

    void removeTimer(Timer timer);

    /** Whether this very timer (kind, invocation, attempt and due time) is set. */
    boolean hasTimer(Timer timer);

    /** Timers due at or before {@code now}, earliest first, at most {@code limit} of them. */
    List<Timer> dueTimers(long now, int limit);

    /** The journal of an invocation of a service written with a Restate SDK; null when it has none. */
    Journal journal(InvocationId invocationId);

    void putJournal(InvocationId invocationId, Journal journal);

    void deleteJournal(InvocationId invocationId);

    /** The state of a virtual object or workflow key ({@link Inbox#lockOf}); empty when it has none. */
    ObjectState objectState(String lock);

    /** Stores the key's state; an empty one is deleted. */
    void putObjectState(String lock, ObjectState objectState);

    /** A workflow key's promise ({@link WorkflowPromise#key}); null when nothing awaited or completed it yet. */
    WorkflowPromise promise(String promiseKey);

    void putPromise(String promiseKey, WorkflowPromise promise);

    /** Deletes every promise of the workflow key {@code lock}. */
    void deletePromises(String lock);
}
