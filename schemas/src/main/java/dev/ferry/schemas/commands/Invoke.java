package dev.ferry.schemas.commands;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.journal.JournalCompletion;
import java.util.List;

/**
 * Submits an invocation.
 *
 * @param invocationId the id the submitter computed (see {@code InvocationIds})
 * @param idempotencyKey the caller's idempotency key, or null
 * @param contentType the request's content type, or null when it had none
 * @param headers the caller's headers to pass on to the handler (lower-case names, no hop-by-hop headers)
 * @param delay for direct producers: start no earlier than this long (humantime or ISO 8601) after the record's
 *     timestamp; the processor turns it into {@code executeAt}
 * @param executeAt epoch milliseconds before which the handler must not start; null to start at once
 * @param send true for a one-way send: the caller is answered once the submission is accepted, not with the result
 * @param replyTo where the waiting caller is; null when nobody waits (a plain send, a direct producer)
 * @param requireSameRequest a repeat of an idempotency key with another body or content type is refused (422)
 *     instead of answered with the first request's result (Restate's behaviour)
 * @param createdAt epoch milliseconds when the submitter accepted the request; 0 for the record's timestamp
 * @param resultTopic a topic to publish the invocation's result on, besides the results topic (subscriptions)
 * @param caller for a call from a handler written with a Restate SDK, the caller's journal completion that gets
 *     the result; null otherwise. Only Ferry's processor sets it.
 */
public record Invoke(
        InvocationId invocationId,
        Target target,
        String idempotencyKey,
        String contentType,
        List<Header> headers,
        Payload body,
        String delay,
        Long executeAt,
        boolean send,
        ReplyTo replyTo,
        boolean requireSameRequest,
        long createdAt,
        String resultTopic,
        JournalCompletion caller)
        implements Command {
    public Invoke {
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? Payload.EMPTY : body;
    }

    /** A submission from a client: nobody's journal waits for its result. */
    public Invoke(InvocationId invocationId, Target target, String idempotencyKey, String contentType,
            List<Header> headers, Payload body, String delay, Long executeAt, boolean send, ReplyTo replyTo,
            boolean requireSameRequest, long createdAt, String resultTopic) {
        this(invocationId, target, idempotencyKey, contentType, headers, body, delay, executeAt, send, replyTo,
                requireSameRequest, createdAt, resultTopic, null);
    }
}
