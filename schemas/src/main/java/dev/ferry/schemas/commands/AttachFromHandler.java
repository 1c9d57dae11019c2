package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.journal.JournalCompletion;

/**
 * A handler written with a Restate SDK attaches to another invocation ({@code ctx.invocation(id).attach()}), or asks
 * for its output without waiting ({@code output}): the caller's journal completion gets the result, when there is
 * one, as a {@link Notify}; "not found" as a 404 failure; for {@code output}, an invocation that has not completed
 * as no result.
 */
public record AttachFromHandler(InvocationId invocationId, JournalCompletion caller, boolean output)
        implements Command {
    public AttachFromHandler {
        if (caller == null) {
            throw new IllegalArgumentException("an attach from a handler names the caller's journal completion");
        }
    }
}
