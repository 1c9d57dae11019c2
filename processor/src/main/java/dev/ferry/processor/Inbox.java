package dev.ferry.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * One object key's lock and queue (the value of the inboxes store, keyed {@code {service}/{key}}): the exclusive
 * invocation that holds the key, and the ones waiting for it in arrival order.
 */
public record Inbox(String running, List<String> queued) {
    public Inbox {
        queued = queued == null ? List.of() : List.copyOf(queued);
    }

    static Inbox heldBy(String invocationId) {
        return new Inbox(invocationId, List.of());
    }

    Inbox enqueue(String invocationId) {
        List<String> next = new ArrayList<>(queued);
        next.add(invocationId);
        return new Inbox(running, next);
    }

    Inbox without(String invocationId) {
        List<String> next = new ArrayList<>(queued);
        next.remove(invocationId);
        return new Inbox(running, next);
    }

    /** The key's lock for the store: service names cannot contain '/', so the split is unambiguous. */
    static String lockOf(String service, String key) {
        return service + "/" + key;
    }
}
