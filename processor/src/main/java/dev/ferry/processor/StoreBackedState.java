package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import java.util.ArrayList;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The state machine's state in one task's persistent, changelogged key-value stores. The stores hold invocation ids
 * in their textual form (as keys, and as the values of the inbox entries), as they always have: ids become text here
 * on the way in and are parsed here on the way out, nowhere else.
 */
final class StoreBackedState implements ProcessorState {
    private final KeyValueStore<String, InvocationState> invocations;
    private final KeyValueStore<String, StoredInput> inputs;
    private final KeyValueStore<String, byte[]> timers;
    private final KeyValueStore<String, Inbox> inboxes;
    private final KeyValueStore<String, String> inboxEntries;
    /** An {@link InvocationsByTime} entry for every invocation in {@code invocations}, for listing in order. */
    private final KeyValueStore<String, byte[]> invocationsByTime;
    private final KeyValueStore<String, Journal> journals;
    private final KeyValueStore<String, ObjectState> objectStates;
    private final KeyValueStore<String, WorkflowPromise> promises;

    private static final byte[] PRESENT = new byte[0];

    /*
     * The timers store is a queue in RocksDB: timers are added ahead and deleted once fired, which leaves
     * tombstones at the front of the key space until compaction. Scanning from the start on every tick would
     * walk them all, every few milliseconds, for every task. So the scan starts where the previous one ended,
     * and is skipped altogether until the earliest known timer is due. Both bounds live in memory only: after a
     * restart the first scan starts from the beginning, once.
     */
    /** Every timer due before this has been handed out. */
    private long scannedUpTo = 0;
    /** No timer is due before this. */
    private long nextDue = 0;
    /**
     * How far ahead a scan looks for the next timer. A range over the store's record cache copies every cached key
     * in it (Kafka Streams' NamedCache), so an open-ended look would copy all the cached lease and retention timers
     * on every tick that found a timer due: a fifth of the stream thread at 32 connections. Bounded, it copies the
     * timers of the next second; finding none there, the next scan comes in a second.
     */
    private static final long NEXT_DUE_HORIZON_MILLIS = 1_000;

    StoreBackedState(
            KeyValueStore<String, InvocationState> invocations,
            KeyValueStore<String, StoredInput> inputs,
            KeyValueStore<String, byte[]> timers,
            KeyValueStore<String, Inbox> inboxes,
            KeyValueStore<String, String> inboxEntries,
            KeyValueStore<String, byte[]> invocationsByTime,
            KeyValueStore<String, Journal> journals,
            KeyValueStore<String, ObjectState> objectStates,
            KeyValueStore<String, WorkflowPromise> promises) {
        this.invocations = invocations;
        this.journals = journals;
        this.objectStates = objectStates;
        this.promises = promises;
        this.invocationsByTime = invocationsByTime;
        this.inputs = inputs;
        this.timers = timers;
        this.inboxes = inboxes;
        this.inboxEntries = inboxEntries;
    }

    /**
     * Deletes a key without reading it first. A store's {@code delete} returns the old value, so on a key not in the
     * record cache it reads RocksDB (a miss there reads blocks from disk); a null put writes the same tombstone
     * without that read. Deleting an attempt's input and lease timer at its end so cost a sixth of the stream
     * thread's store reads behind a backlog of sends (issue 13).
     */
    private static <V> void remove(KeyValueStore<String, V> store, String key) {
        store.put(key, null);
    }

    @Override
    public InvocationState invocation(InvocationId invocationId) {
        return invocations.get(invocationId.toString());
    }

    @Override
    public void put(InvocationState invocation) {
        if (invocation.isNew()) {
            // Neither the key (createdAt, id) nor the value (service, handler) ever changes: written once.
            invocationsByTime.put(InvocationsByTime.key(invocation), InvocationsByTime.value(invocation));
        }
        invocations.put(invocation.invocationId().toString(), invocation);
    }

    @Override
    public void delete(InvocationId invocationId) {
        InvocationState gone = invocations.delete(invocationId.toString());
        if (gone != null) {
            remove(invocationsByTime, InvocationsByTime.key(gone));
        }
    }

    /**
     * Indexes every invocation by creation time when the index is empty but the invocations are not: a data
     * directory (or changelog) from before the index existed. Once, at the task's start; returns how many.
     */
    int indexIfUnindexed() {
        try (KeyValueIterator<String, byte[]> indexed = invocationsByTime.all()) {
            if (indexed.hasNext()) {
                return 0;
            }
        }
        int count = 0;
        try (KeyValueIterator<String, InvocationState> all = invocations.all()) {
            while (all.hasNext()) {
                InvocationState invocation = all.next().value;
                invocationsByTime.put(InvocationsByTime.key(invocation), InvocationsByTime.value(invocation));
                count++;
            }
        }
        return count;
    }

    @Override
    public StoredInput input(InvocationId invocationId) {
        return inputs.get(invocationId.toString());
    }

    @Override
    public void putInput(InvocationId invocationId, StoredInput input) {
        inputs.put(invocationId.toString(), input);
    }

    @Override
    public void deleteInput(InvocationId invocationId) {
        remove(inputs, invocationId.toString());
    }

    @Override
    public Inbox inbox(String lock) {
        return inboxes.get(lock);
    }

    @Override
    public void putInbox(String lock, Inbox inbox) {
        inboxes.put(lock, inbox);
    }

    @Override
    public void deleteInbox(String lock) {
        remove(inboxes, lock);
    }

    @Override
    public InvocationId inboxEntry(String lock, long sequence) {
        String invocationId = inboxEntries.get(Inbox.entryKey(lock, sequence));
        return invocationId == null ? null : InvocationId.parse(invocationId);
    }

    @Override
    public void putInboxEntry(String lock, long sequence, InvocationId invocationId) {
        inboxEntries.put(Inbox.entryKey(lock, sequence), invocationId.toString());
    }

    @Override
    public void deleteInboxEntry(String lock, long sequence) {
        remove(inboxEntries, Inbox.entryKey(lock, sequence));
    }

    @Override
    public void addTimer(Timer timer) {
        timers.put(timer.key(), PRESENT);
        nextDue = Math.min(nextDue, timer.due());
        scannedUpTo = Math.min(scannedUpTo, timer.due());
    }

    @Override
    public void removeTimer(Timer timer) {
        remove(timers, timer.key());
    }

    @Override
    public boolean hasTimer(Timer timer) {
        return timers.get(timer.key()) != null;
    }

    @Override
    public List<Timer> dueTimers(long now, int limit) {
        if (now < nextDue) {
            return List.of();
        }
        List<Timer> due = new ArrayList<>();
        String upper = Timer.dueKey(now + 1);
        try (KeyValueIterator<String, byte[]> range = timers.range(Timer.dueKey(scannedUpTo), upper)) {
            while (range.hasNext() && due.size() < limit) {
                KeyValue<String, byte[]> entry = range.next();
                if (entry.key.compareTo(upper) >= 0) {
                    break; // range() includes its upper bound
                }
                due.add(Timer.parse(entry.key));
            }
        }
        if (due.size() < limit) {
            // Everything due by `now` is handed out; the next scan need not look before it.
            scannedUpTo = now + 1;
            nextDue = firstDueBefore(upper, now + 1 + NEXT_DUE_HORIZON_MILLIS);
        } else {
            scannedUpTo = due.get(due.size() - 1).due();
            nextDue = scannedUpTo;
        }
        return due;
    }

    /**
     * The due time of the first timer at or after {@code fromKey} and due before {@code horizon}, else the horizon;
     * a seek, so earlier tombstones cost nothing.
     */
    private long firstDueBefore(String fromKey, long horizon) {
        try (KeyValueIterator<String, byte[]> range = timers.range(fromKey, Timer.dueKey(horizon))) {
            return range.hasNext() ? Math.min(Timer.parse(range.next().key).due(), horizon) : horizon;
        }
    }

    @Override
    public Journal journal(InvocationId invocationId) {
        return journals.get(invocationId.toString());
    }

    @Override
    public void putJournal(InvocationId invocationId, Journal journal) {
        journals.put(invocationId.toString(), journal);
    }

    @Override
    public void deleteJournal(InvocationId invocationId) {
        remove(journals, invocationId.toString());
    }

    @Override
    public ObjectState objectState(String lock) {
        ObjectState stored = objectStates.get(lock);
        return stored == null ? ObjectState.EMPTY : stored;
    }

    @Override
    public void putObjectState(String lock, ObjectState objectState) {
        if (objectState.isEmpty()) {
            remove(objectStates, lock);
        } else {
            objectStates.put(lock, objectState);
        }
    }

    @Override
    public WorkflowPromise promise(String promiseKey) {
        return promises.get(promiseKey);
    }

    @Override
    public void putPromise(String promiseKey, WorkflowPromise promise) {
        promises.put(promiseKey, promise);
    }

    @Override
    public void deletePromises(String lock) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, WorkflowPromise> range = promises.prefixScan(WorkflowPromise.key(lock, ""),
                new StringSerializer())) {
            range.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(promises::delete);
    }
}
