package dev.ferry.schemas.dispatch;

import dev.ferry.schemas.InvocationId;
/**
 * Stop the HTTP call of an attempt (the invocation was cancelled or killed): the dispatcher running it closes the
 * connection, the signal an HTTP service can observe, and reports the attempt as failed.
 */
public record AbortAttempt(InvocationId invocationId, int attempt) implements DispatcherCommand {}
