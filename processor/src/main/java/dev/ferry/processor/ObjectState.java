package dev.ferry.processor;

import dev.ferry.schemas.Payload;
import dev.ferry.schemas.journal.StateEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one virtual object or workflow key, for services written with a Restate SDK (the value of the
 * object-state store, keyed like the key's lock): its entries, in the order they were first set. It changes only
 * while the commands of one attempt are applied, in the same transaction as the journal that wrote them.
 */
public record ObjectState(List<StateEntry> entries) {
    public static final ObjectState EMPTY = new ObjectState(List.of());

    public ObjectState {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    ObjectState set(byte[] key, byte[] value) {
        List<StateEntry> changed = new ArrayList<>(entries.size() + 1);
        boolean replaced = false;
        for (StateEntry entry : entries) {
            if (Arrays.equals(entry.key().bytes(), key)) {
                changed.add(new StateEntry(entry.key(), Payload.of(value)));
                replaced = true;
            } else {
                changed.add(entry);
            }
        }
        if (!replaced) {
            changed.add(new StateEntry(Payload.of(key), Payload.of(value)));
        }
        return new ObjectState(changed);
    }

    ObjectState cleared(byte[] key) {
        return new ObjectState(entries.stream().filter(entry -> !Arrays.equals(entry.key().bytes(), key)).toList());
    }

    /** The value of {@code key}; null when it has none. */
    Payload get(byte[] key) {
        return entries.stream().filter(entry -> Arrays.equals(entry.key().bytes(), key)).map(StateEntry::value)
                .findFirst().orElse(null);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
