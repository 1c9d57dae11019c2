package dev.ferry.schemas.results;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Header;
import java.util.List;

/**
 * An invocation that failed terminally or was killed, as published on the dead-letter topic when its service
 * asks for it: its failure and its request, so it can be inspected and submitted again. Keyed by invocation id,
 * with header {@code ferry.dead-letter.kind: failed-invocation}.
 */
public record FailedInvocation(
        InvocationId invocationId,
        Target target,
        String idempotencyKey,
        Failure failure,
        String contentType,
        List<Header> headers,
        Payload body,
        int attempts,
        long createdAt,
        long completedAt) {}
