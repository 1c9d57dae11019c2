package dev.ferry.schemas.dispatch;

/**
 * Stop the HTTP call of an attempt (the invocation was cancelled or killed): the dispatcher running it closes the
 * connection, the signal an HTTP service can observe, and reports the attempt as failed.
 */
public record AbortAttempt(String invocationId, int attempt) implements DispatcherCommand {}
