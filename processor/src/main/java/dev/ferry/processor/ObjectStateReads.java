package dev.ferry.processor;

import dev.ferry.schemas.journal.StateEntry;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the object-state store for the admin API ({@link QueryResponder}): never writes. The store holds a key's
 * state under its lock ({@link Inbox#lockOf}), and nothing for a key without state (the state machine deletes a
 * key's entry when its last state entry is cleared), so "no state" and "state cleared" read the same.
 */
final class ObjectStateReads {
    private ObjectStateReads() {}

    /** Every entry of the key's state, in the order they were first set; empty when it has none. */
    static List<StateEntry> entries(ReadOnlyKeyValueStore<String, ObjectState> store, String service, String key) {
        ObjectState state = store.get(Inbox.lockOf(service, key));
        return state == null ? List.of() : state.entries();
    }
}
