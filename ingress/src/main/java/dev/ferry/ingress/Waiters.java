package dev.ferry.ingress;

import dev.ferry.schemas.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of this ingress instance that wait for an answer from the processor, by request id. The same
 * answer may arrive twice (the processor re-emits its outputs after a failover); the first one wins.
 */
public final class Waiters {
    private final Map<String, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** A new request id, unique within this instance. */
    public String nextRequestId() {
        return Long.toString(sequence.incrementAndGet(), 36);
    }

    public CompletableFuture<Reply> register(String requestId) {
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        waiting.put(requestId, answer);
        answer.whenComplete((reply, error) -> waiting.remove(requestId, answer));
        return answer;
    }

    /** Delivers an answer; ignored when nobody (or nobody any more) waits for it. */
    public void deliver(Reply reply) {
        CompletableFuture<Reply> answer = waiting.get(reply.requestId());
        if (answer != null) {
            answer.complete(reply);
        }
    }

    public int size() {
        return waiting.size();
    }
}
