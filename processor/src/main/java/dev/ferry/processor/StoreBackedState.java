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

    private static final byte[] PRESENT = new byte[0];

    StoreBackedState(
            KeyValueStore<String, InvocationState> invocations,
            KeyValueStore<String, StoredInput> inputs,
            KeyValueStore<String, byte[]> timers) {
        this.invocations = invocations;
        this.inputs = inputs;
        this.timers = timers;
    }

    @Override
    public InvocationState invocation(String invocationId) {
        return invocations.get(invocationId);
    }

    @Override
    public void put(InvocationState invocation) {
        invocations.put(invocation.invocationId(), invocation);
    }

    @Override
    public void delete(String invocationId) {
        invocations.delete(invocationId);
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
    public void addTimer(Timer timer) {
        timers.put(timer.key(), PRESENT);
    }

    @Override
    public void removeTimer(Timer timer) {
        timers.delete(timer.key());
    }

    @Override
    public List<Timer> dueTimers(long now, int limit) {
        List<Timer> due = new ArrayList<>();
        // Keys start with the due time in fixed-width hex, so every key of a timer due at or before `now` sorts
        // below the first key of the next millisecond.
        try (KeyValueIterator<String, byte[]> range = timers.range(null, Timer.dueKey(now + 1))) {
            while (range.hasNext() && due.size() < limit) {
                KeyValue<String, byte[]> entry = range.next();
                if (entry.key.compareTo(Timer.dueKey(now + 1)) >= 0) {
                    break; // range() is inclusive of its upper bound
                }
                due.add(Timer.parse(entry.key));
            }
        }
        return due;
    }
}
