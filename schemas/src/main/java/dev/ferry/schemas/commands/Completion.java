package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;

/**
 * A dispatcher's report that an attempt ended for good: the handler succeeded, or failed terminally.
 * Ignored unless {@code attempt} is the invocation's current attempt.
 */
public record Completion(InvocationId invocationId, int attempt, Outcome outcome) implements Command {}
