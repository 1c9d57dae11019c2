package dev.ferry.processor;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.schemas.InvocationId;
import java.util.List;

/**
 * One object key's lock and the head of its queue (the value of the inboxes store, keyed {@code {service}/{key}}):
 * the exclusive invocation that holds the key, and where the invocations waiting for it are. The queue itself is
 * one entry per waiting invocation in the inbox-entries store ({@link #entryKey}), numbered in arrival order, so an
 * enqueue or a dequeue writes one small entry and this small head, however long the queue.
 *
 * @param queued the waiting invocations as one list, the form stored before the queue had entries of its own;
 *     only read (see {@code StateMachine.inbox}), never written
 * @param first the number of the oldest entry that may still be queued (entries taken out by a cancel or kill
 *     leave gaps, skipped when the key is handed on)
 * @param next the number the next queued invocation gets
 * @param length how many invocations are queued
 */
public record Inbox(
        InvocationId running, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<InvocationId> queued, long first,
        long next, int length) {
    public Inbox {
        queued = queued == null ? List.of() : List.copyOf(queued);
    }

    static Inbox heldBy(InvocationId invocationId) {
        return new Inbox(invocationId, List.of(), 0, 0, 0);
    }

    /** The same queue, with the key held by {@code invocationId}. */
    Inbox runs(InvocationId invocationId) {
        return new Inbox(invocationId, queued, first, next, length);
    }

    /** Invocations waiting for the key, in either stored form. */
    int waiting() {
        return length + queued.size();
    }

    /** One more invocation queued, at number {@link #next}. */
    Inbox enqueued() {
        return new Inbox(running, queued, first, next + 1, length + 1);
    }

    /** The entry at {@link #first} looked at: taken out of the queue when {@code present}, a gap otherwise. */
    Inbox advanced(boolean present) {
        return new Inbox(running, queued, first + 1, next, present ? length - 1 : length);
    }

    /** One queued invocation taken out of the middle (a cancel or kill). */
    Inbox removed() {
        return new Inbox(running, queued, first, next, length - 1);
    }

    /** The old form's list moved to entries numbered from {@link #next} on (the caller writes the entries). */
    Inbox withoutList() {
        return new Inbox(running, List.of(), first, next + queued.size(), length + queued.size());
    }

    /** The key's lock for the store: service names cannot contain '/', so the split is unambiguous. */
    static String lockOf(String service, String key) {
        return service + "/" + key;
    }

    /**
     * The inbox-entries key of a queued invocation: the lock, then the number in 19 digits. The fixed width keeps
     * the key unambiguous whatever the object key contains, and the entries of one lock in order.
     */
    static String entryKey(String lock, long sequence) {
        return lock + "#" + String.format("%019d", sequence);
    }
}
