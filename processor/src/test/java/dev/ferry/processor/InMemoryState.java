package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state machine's state in maps, for tests without Kafka. Values are stored as JSON and ids as their text, as
 * the real stores store them, so a change the state machine forgets to {@code put} is lost here too.
 */
final class InMemoryState implements ProcessorState {
    final Map<String, byte[]> invocations = new HashMap<>();
    final Map<String, byte[]> inputs = new HashMap<>();
    final TreeMap<String, Timer> timers = new TreeMap<>();
    final Map<String, byte[]> inboxes = new HashMap<>();
    final Map<String, String> inboxEntries = new HashMap<>();
    final Map<String, byte[]> journals = new HashMap<>();
    final Map<String, byte[]> objectStates = new HashMap<>();
    final TreeMap<String, byte[]> promises = new TreeMap<>();

    @Override
    public InvocationState invocation(InvocationId invocationId) {
        byte[] json = invocations.get(invocationId.toString());
        return json == null ? null : Json.readTrusted(json, InvocationState.class);
    }

    @Override
    public void put(InvocationState invocation) {
        invocations.put(invocation.invocationId().toString(), Json.write(invocation));
    }

    @Override
    public void delete(InvocationId invocationId) {
        invocations.remove(invocationId.toString());
    }

    @Override
    public StoredInput input(InvocationId invocationId) {
        byte[] json = inputs.get(invocationId.toString());
        return json == null ? null : Json.readTrusted(json, StoredInput.class);
    }

    @Override
    public void putInput(InvocationId invocationId, StoredInput input) {
        inputs.put(invocationId.toString(), Json.write(input));
    }

    @Override
    public void deleteInput(InvocationId invocationId) {
        inputs.remove(invocationId.toString());
    }

    @Override
    public Inbox inbox(String lock) {
        byte[] json = inboxes.get(lock);
        return json == null ? null : Json.readTrusted(json, Inbox.class);
    }

    @Override
    public void putInbox(String lock, Inbox inbox) {
        inboxes.put(lock, Json.write(inbox));
    }

    @Override
    public void deleteInbox(String lock) {
        inboxes.remove(lock);
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
        inboxEntries.remove(Inbox.entryKey(lock, sequence));
    }

    @Override
    public void addTimer(Timer timer) {
        timers.put(timer.key(), timer);
    }

    @Override
    public void removeTimer(Timer timer) {
        timers.remove(timer.key());
    }

    @Override
    public boolean hasTimer(Timer timer) {
        return timers.containsKey(timer.key());
    }

    @Override
    public List<Timer> dueTimers(long now, int limit) {
        List<Timer> due = new ArrayList<>();
        for (Timer timer : timers.headMap(Timer.dueKey(now + 1)).values()) {
            if (due.size() == limit) {
                break;
            }
            due.add(timer);
        }
        return due;
    }

    @Override
    public Journal journal(InvocationId invocationId) {
        byte[] json = journals.get(invocationId.toString());
        return json == null ? null : Json.readTrusted(json, Journal.class);
    }

    @Override
    public void putJournal(InvocationId invocationId, Journal journal) {
        journals.put(invocationId.toString(), Json.write(journal));
    }

    @Override
    public void deleteJournal(InvocationId invocationId) {
        journals.remove(invocationId.toString());
    }

    @Override
    public ObjectState objectState(String lock) {
        byte[] json = objectStates.get(lock);
        return json == null ? ObjectState.EMPTY : Json.readTrusted(json, ObjectState.class);
    }

    @Override
    public void putObjectState(String lock, ObjectState objectState) {
        if (objectState.isEmpty()) {
            objectStates.remove(lock);
        } else {
            objectStates.put(lock, Json.write(objectState));
        }
    }

    @Override
    public WorkflowPromise promise(String promiseKey) {
        byte[] json = promises.get(promiseKey);
        return json == null ? null : Json.readTrusted(json, WorkflowPromise.class);
    }

    @Override
    public void putPromise(String promiseKey, WorkflowPromise promise) {
        promises.put(promiseKey, Json.write(promise));
    }

    @Override
    public void deletePromises(String lock) {
        promises.subMap(WorkflowPromise.key(lock, ""), WorkflowPromise.key(lock, "\uffff")).clear();
    }
}
