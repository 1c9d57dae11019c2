package dev.ferry.schemas.journal;

import dev.ferry.schemas.InvocationId;

/**
 * A command in the journal of an invocation of a service written with a Restate SDK that waits for another
 * invocation's result (a call, an attach): when that invocation ends, its result is sent to {@code invocationId} as
 * a notification of {@code completionId}.
 */
public record JournalCompletion(InvocationId invocationId, int completionId) {}
