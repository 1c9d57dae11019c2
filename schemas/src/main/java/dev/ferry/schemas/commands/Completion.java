package dev.ferry.schemas.commands;


/**
 * A dispatcher's report that an attempt ended for good: the handler succeeded, or failed terminally.
 * Ignored unless {@code attempt} is the invocation's current attempt.
 */
public record Completion(String invocationId, int attempt, Outcome outcome) implements Command {}
