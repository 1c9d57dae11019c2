package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
/**
 * A dispatcher's heartbeat for an attempt whose HTTP call is still open. Without it the processor considers
 * the dispatcher gone once the lease lapses and runs the attempt again elsewhere.
 */
public record RenewLease(InvocationId invocationId, int attempt) implements Command {}
