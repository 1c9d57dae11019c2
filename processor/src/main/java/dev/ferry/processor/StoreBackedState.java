package dev.ferry.processor;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The state machine's state in one task's persistent, changelogged key-value stores. */
final class StoreBackedState implements ProcessorState {
    private final KeyValueStore<String, InvocationState> invocations;
    private final KeyValueStore<String, StoredInput> inputs;
    private final KeyValueStore<String, byte[]> timers;
    private final KeyValueStore<String, Inbox> inboxes;
    private final KeyValueStore<String, String> inboxEntries;
    /** An {@link InvocationsByTime} entry for every invocation in {@code invocations}, for listing in order. */
    private final KeyValueStore<String, byte[]> invocationsByTime;

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

    StoreBackedState(
            KeyValueStore<String, InvocationState> invocations,
            KeyValueStore<String, StoredInput> inputs,
            KeyValueStore<String, byte[]> timers,
            KeyValueStore<String, Inbox> inboxes,
            KeyValueStore<String, String> inboxEntries,
            KeyValueStore<String, byte[]> invocationsByTime) {
        this.invocations = invocations;
        this.invocationsByTime = invocationsByTime;
        this.inputs = inputs;
        this.timers = timers;
        this.inboxes = inboxes;
        this.inboxEntries = inboxEntries;
    }

    @Override
    public InvocationState invocation(String invocationId) {
        return invocations.get(invocationId);
    }

    @Override
    public void put(InvocationState invocation) {
        if (invocation.isNew()) {
            // Neither the key (createdAt, id) nor the value (service, handler) ever changes: written once.
            invocationsByTime.put(InvocationsByTime.key(invocation), InvocationsByTime.value(invocation));
        }
        invocations.put(invocation.invocationId(), invocation);
    }

    @Override
    public void delete(String invocationId) {
        InvocationState gone = invocations.delete(invocationId);
        if (gone != null) {
            invocationsByTime.delete(InvocationsByTime.key(gone));
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
    public StoredInput input(String invocationId) {
        return inputs.get(invocationId);
    }

    @Override
    public void putInput(String invocationId, StoredInput input) {
        inputs.put(invocationId, input);
    }

    @Override
    public void deleteInput(String invocationId) {
        inputs.delete(invocationId);
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
        inboxes.delete(lock);
    }

    @Override
    public String inboxEntry(String lock, long sequence) {
        return inboxEntries.get(Inbox.entryKey(lock, sequence));
    }

    @Override
    public void putInboxEntry(String lock, long sequence, String invocationId) {
        inboxEntries.put(Inbox.entryKey(lock, sequence), invocationId);
    }

    @Override
    public void deleteInboxEntry(String lock, long sequence) {
        inboxEntries.delete(Inbox.entryKey(lock, sequence));
    }

    @Override
    public void addTimer(Timer timer) {
        timers.put(timer.key(), PRESENT);
        nextDue = Math.min(nextDue, timer.due());
        scannedUpTo = Math.min(scannedUpTo, timer.due());
    }

    @Override
    public void removeTimer(Timer timer) {
        timers.delete(timer.key());
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
            nextDue = firstDueFrom(upper);
        } else {
            scannedUpTo = due.get(due.size() - 1).due();
            nextDue = scannedUpTo;
        }
        return due;
    }

    /** The due time of the first timer at or after {@code fromKey}; a seek, so earlier tombstones cost nothing. */
    private long firstDueFrom(String fromKey) {
        try (KeyValueIterator<String, byte[]> range = timers.range(fromKey, null)) {
            return range.hasNext() ? Timer.parse(range.next().key).due() : Long.MAX_VALUE;
        }
    }
}
