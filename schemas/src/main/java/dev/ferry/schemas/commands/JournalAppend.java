package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import java.util.List;

/**
 * A dispatcher's report of an attempt on a service written with a Restate SDK: the journal entries the service
 * wrote during the attempt, in order (its run proposals already turned into run-completion notifications), and how
 * the attempt ended. The processor applies all of it at once, in one transaction: the entries, their effects
 * (state, timers, calls) and the end. Ignored unless {@code attempt} is the invocation's current attempt.
 */
public record JournalAppend(InvocationId invocationId, int attempt, List<JournalEntry> entries, AttemptEnd end)
        implements Command {
    public JournalAppend {
        entries = entries == null ? List.of() : List.copyOf(entries);
        if (end == null) {
            throw new IllegalArgumentException("a journal append says how its attempt ended");
        }
    }
}
