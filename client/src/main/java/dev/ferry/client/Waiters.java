package dev.ferry.client;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.replies.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of this ingress instance that wait for an answer from the processor. Each has a request id, and an
 * answer addressed to it goes to it alone. Requests that wait for an invocation's result (calls, attaches) are
 * also grouped by invocation: the processor only knows that this instance waits, and sends the result once, as a
 * {@link Reply.Kind#INVOCATION_RESULT}, which goes to every request of the group. A request takes whichever comes
 * first. The same answer may arrive twice (the processor re-emits its outputs after a failover); the first wins.
 */
public final class Waiters {
    /** Requests that may wait for one invocation on one instance, unless configured otherwise. */
    public static final int DEFAULT_MAX_PER_INVOCATION = 2_000;

    private final Map<String, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    private final Map<InvocationId, Group> byInvocation = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int maxPerInvocation;

    /** The requests of this instance waiting for one invocation's result. Guarded by itself. */
    private static final class Group {
        final Map<String, CompletableFuture<Reply>> requests = new HashMap<>();
        /** Tells the processor this instance no longer waits; set by the group's first request. */
        final Runnable detach;
        /** Removed from {@link #byInvocation}: a request arriving now starts a new group. */
        boolean closed;
        /** A request went without an answer (timeout, disconnect), so the processor may still count on this instance. */
        boolean abandoned;
        /** The invocation's result came: the processor has forgotten this instance already. */
        boolean resultCame;

        Group(Runnable detach) {
            this.detach = detach;
        }
    }

    public Waiters() {
        this(DEFAULT_MAX_PER_INVOCATION);
    }

    /** @param maxPerInvocation requests that may wait for one invocation at once; more get 429 */
    public Waiters(int maxPerInvocation) {
        this.maxPerInvocation = maxPerInvocation;
    }

    /** A new request id, unique within this instance. */
    public String nextRequestId() {
        return Long.toString(sequence.incrementAndGet(), 36);
    }

    /** Waits for the answer addressed to {@code requestId}. */
    public CompletableFuture<Reply> register(String requestId) {
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        waiting.put(requestId, answer);
        answer.whenComplete((reply, error) -> waiting.remove(requestId, answer));
        return answer;
    }

    /**
     * Waits for the answer addressed to {@code requestId} or for the result of {@code invocationId}, whichever
     * comes first. Cancel the future when the caller stops waiting: when the last request of the invocation leaves
     * without an answer, {@code detach} runs, to tell the processor.
     *
     * @param append appends the request's command to the log. It runs while no other request of this invocation
     *     can join or leave, so the log has this instance's commands about the invocation (its attaches and its
     *     detach) in the order in which they were decided here, and a detach never overtakes a newer attach.
     * @throws ProcessorUnavailable 429 when {@code maxPerInvocation} requests already wait for the invocation
     */
    public CompletableFuture<Reply> waitFor(InvocationId invocationId, String requestId, Runnable append,
            Runnable detach) {
        while (true) {
            Group group = byInvocation.computeIfAbsent(invocationId, id -> new Group(detach));
            synchronized (group) {
                if (group.closed) {
                    continue; // its last request just left: start a new one
                }
                if (group.requests.size() >= maxPerInvocation) {
                    throw new ProcessorUnavailable(429, "too many requests are waiting for the invocation "
                            + invocationId + " on this ingress (at most " + maxPerInvocation + "); try again later");
                }
                CompletableFuture<Reply> answer = register(requestId);
                group.requests.put(requestId, answer);
                try {
                    append.run();
                } catch (RuntimeException e) {
                    group.requests.remove(requestId);
                    if (group.requests.isEmpty()) {
                        close(invocationId, group);
                    }
                    answer.cancel(false);
                    throw e;
                }
                answer.whenComplete((reply, error) -> leave(invocationId, group, requestId, reply != null));
                return answer;
            }
        }
    }

    private void leave(InvocationId invocationId, Group group, String requestId, boolean answered) {
        synchronized (group) {
            if (group.requests.remove(requestId) == null) {
                return;
            }
            group.abandoned |= !answered;
            if (group.requests.isEmpty()) {
                close(invocationId, group);
                if (group.abandoned && !group.resultCame) {
                    group.detach.run();
                }
            }
        }
    }

    private void close(InvocationId invocationId, Group group) {
        group.closed = true;
        byInvocation.remove(invocationId, group);
    }

    /** Delivers an answer; ignored when nobody (or nobody any more) waits for it. */
    public void deliver(Reply reply) {
        if (reply.kind() == Reply.Kind.INVOCATION_RESULT) {
            deliverResult(reply);
            return;
        }
        if (reply.requestId() == null) {
            return;
        }
        CompletableFuture<Reply> answer = waiting.get(reply.requestId());
        if (answer != null) {
            answer.complete(reply);
        }
    }

    private void deliverResult(Reply result) {
        if (result.invocationId() == null) {
            return;
        }
        Group group = byInvocation.get(result.invocationId());
        if (group == null) {
            return;
        }
        List<Map.Entry<String, CompletableFuture<Reply>>> requests;
        synchronized (group) {
            group.resultCame = true;
            requests = new ArrayList<>(group.requests.entrySet());
        }
        // Completed outside the lock: each completion takes it again to leave the group.
        for (Map.Entry<String, CompletableFuture<Reply>> request : requests) {
            request.getValue().complete(result.forRequest(request.getKey()));
        }
    }

    /** Requests waiting now. */
    public int size() {
        return waiting.size();
    }

    /** Requests waiting now for the result of {@code invocationId}. */
    public int waitingFor(InvocationId invocationId) {
        Group group = byInvocation.get(invocationId);
        if (group == null) {
            return 0;
        }
        synchronized (group) {
            return group.requests.size();
        }
    }
}
