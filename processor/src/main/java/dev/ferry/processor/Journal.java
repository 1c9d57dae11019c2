package dev.ferry.processor;

import dev.ferry.schemas.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal of one invocation of a service written with a Restate SDK (the value of the journals store, keyed by
 * invocation id): every command the service wrote and every notification Ferry wrote for it, in order, replayed to
 * the service on each attempt. Immutable; each change makes a new one, which the state machine stores.
 *
 * @param protocolVersion the service protocol version the invocation runs under, pinned at its first attempt
 * @param entries the entries, the input command first
 * @param failuresSinceGrowth attempts that failed in a row since the journal last grew (sent to the service, which
 *     counts {@code ctx.run} retries with it)
 * @param grewAt epoch milliseconds when the journal last grew
 * @param awaiting while the invocation is suspended, the notifications any one of which resumes it; null otherwise
 */
public record Journal(
        int protocolVersion, List<JournalEntry> entries, int failuresSinceGrowth, long grewAt, Awaiting awaiting) {

    public Journal {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** What a suspended invocation waits for: any one of these. */
    public record Awaiting(List<Integer> completions, List<Integer> signals, List<String> namedSignals) {
        public Awaiting {
            completions = completions == null ? List.of() : List.copyOf(completions);
            signals = signals == null ? List.of() : List.copyOf(signals);
            namedSignals = namedSignals == null ? List.of() : List.copyOf(namedSignals);
        }
    }

    static Journal started(int protocolVersion, JournalEntry input, long now) {
        return new Journal(protocolVersion, List.of(input), 0, now, null);
    }

    /** With {@code added} appended; the failure count starts again when anything was added. */
    Journal appended(List<JournalEntry> added, long now) {
        if (added.isEmpty()) {
            return this;
        }
        List<JournalEntry> all = new ArrayList<>(entries.size() + added.size());
        all.addAll(entries);
        all.addAll(added);
        return new Journal(protocolVersion, all, 0, now, awaiting);
    }

    Journal appended(JournalEntry added, long now) {
        return appended(List.of(added), now);
    }

    Journal failedOnce() {
        return new Journal(protocolVersion, entries, failuresSinceGrowth + 1, grewAt, awaiting);
    }

    Journal awaiting(Awaiting awaited) {
        return new Journal(protocolVersion, entries, failuresSinceGrowth, grewAt, awaited);
    }
}
