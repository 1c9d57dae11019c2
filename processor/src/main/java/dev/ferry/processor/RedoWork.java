package dev.ferry.processor;

import dev.ferry.schemas.commands.Command;

/**
 * An entry of the {@link ProcessorTopology#REDO} store: an attempt's outcome read before the command that starts the
 * attempt (its {@code outcome} and when it was appended), or an attempt started while redoing whose dispatch waits
 * for the redo to be committed ({@code outcome} null). The key names the attempt.
 */
public record RedoWork(Command outcome, long appendedAt) {
    static final RedoWork HELD_DISPATCH = new RedoWork(null, 0);
}
