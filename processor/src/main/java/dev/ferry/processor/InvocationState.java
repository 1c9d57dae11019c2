package dev.ferry.processor;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ferry.schemas.Failure;
import dev.ferry.schemas.Outcome;
import dev.ferry.schemas.ReplyTo;
import dev.ferry.schemas.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * The processor's record of one invocation (the value of the invocations store, keyed by invocation id). The
 * request body lives apart, in the inputs store, so that the frequent small updates of an attempt's life do not
 * rewrite it. Only the state machine changes this, through the transition methods below.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class InvocationState {
    private final String invocationId;
    private final Target target;
    private final String idempotencyKey;
    private final long createdAt;
    /** Identifies the request's content type and body, to tell a repeat of it from another request. */
    private String requestHash;
    /** A topic the result is published on besides the results topic (a subscription's); null for none. */
    private String resultTopic;
    private InvocationStatus status;
    /** The number of the current (or last) attempt; 0 before the first dispatch. */
    private int attempt;
    /** The attempt number when the retry budget last started (0, or the attempt before a resume). */
    private int retryBase;
    /** A cancel arrived while an attempt was running: when that attempt fails, the invocation ends "Cancelled". */
    private boolean cancelRequested;
    private Long executeAt;
    private Long firstAttemptAt;
    private Long leaseExpiresAt;
    private Long nextRetryAt;
    private Failure lastFailure;
    private List<ReplyTo> waiters;
    private Outcome outcome;
    private Long completedAt;
    private Long retainedUntil;
    /**
     * Created by the command being applied, so not in the store yet: its first {@code put} also indexes it by
     * creation time. Never stored; an invocation read from the store is not new.
     */
    @JsonIgnore
    private boolean isNew;

    @JsonCreator
    InvocationState(
            @JsonProperty("invocationId") String invocationId,
            @JsonProperty("target") Target target,
            @JsonProperty("idempotencyKey") String idempotencyKey,
            @JsonProperty("createdAt") long createdAt) {
        this.invocationId = invocationId;
        this.target = target;
        this.idempotencyKey = idempotencyKey;
        this.createdAt = createdAt;
        this.waiters = new ArrayList<>();
    }

    static InvocationState created(String invocationId, Target target, String idempotencyKey, String requestHash,
            String resultTopic, long createdAt) {
        InvocationState state = new InvocationState(invocationId, target, idempotencyKey, createdAt);
        state.requestHash = requestHash;
        state.resultTopic = resultTopic;
        state.isNew = true;
        return state;
    }

    /** See {@link #isNew}. */
    boolean isNew() {
        return isNew;
    }

    public String invocationId() {
        return invocationId;
    }

    public Target target() {
        return target;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public long createdAt() {
        return createdAt;
    }

    public String requestHash() {
        return requestHash;
    }

    public String resultTopic() {
        return resultTopic;
    }

    public InvocationStatus status() {
        return status;
    }

    public int attempt() {
        return attempt;
    }

    /** Attempts that count against the retry policy: those since the invocation started or was resumed. */
    public int attemptsSinceResume() {
        return attempt - retryBase;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public Long executeAt() {
        return executeAt;
    }

    public Long firstAttemptAt() {
        return firstAttemptAt;
    }

    public Long leaseExpiresAt() {
        return leaseExpiresAt;
    }

    public Long nextRetryAt() {
        return nextRetryAt;
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    public List<ReplyTo> waiters() {
        return List.copyOf(waiters);
    }

    public Outcome outcome() {
        return outcome;
    }

    public Long completedAt() {
        return completedAt;
    }

    public Long retainedUntil() {
        return retainedUntil;
    }

    public boolean completed() {
        return status == InvocationStatus.COMPLETED;
    }

    /** True when {@code attempt} is the attempt now holding a lease. */
    boolean runs(int attemptNumber) {
        return status == InvocationStatus.RUNNING && attempt == attemptNumber;
    }

    boolean isWaiting(ReplyTo replyTo) {
        return waiters.contains(replyTo);
    }

    void addWaiter(ReplyTo replyTo) {
        if (replyTo != null && !waiters.contains(replyTo)) {
            waiters.add(replyTo);
        }
    }

    List<ReplyTo> takeWaiters() {
        List<ReplyTo> taken = List.copyOf(waiters);
        waiters.clear();
        return taken;
    }

    void schedule(long at) {
        status = InvocationStatus.SCHEDULED;
        executeAt = at;
    }

    void inbox() {
        status = InvocationStatus.INBOXED;
    }

    /** Starts the next attempt under a lease that ends at {@code leaseUntil}. */
    int startNextAttempt(long now, long leaseUntil) {
        attempt++;
        status = InvocationStatus.RUNNING;
        if (firstAttemptAt == null) {
            firstAttemptAt = now;
        }
        leaseExpiresAt = leaseUntil;
        nextRetryAt = null;
        return attempt;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    /** Starts a fresh retry budget: the next attempt counts as the first. */
    void resetRetries() {
        retryBase = attempt;
    }

    void renewLease(long leaseUntil) {
        leaseExpiresAt = leaseUntil;
    }

    void backOff(Failure failure, long retryAt) {
        status = InvocationStatus.BACKING_OFF;
        lastFailure = failure;
        leaseExpiresAt = null;
        nextRetryAt = retryAt;
    }

    void pause(Failure failure) {
        status = InvocationStatus.PAUSED;
        lastFailure = failure;
        leaseExpiresAt = null;
        nextRetryAt = null;
    }

    void complete(Outcome result, long now, long keptUntil) {
        status = InvocationStatus.COMPLETED;
        outcome = result;
        completedAt = now;
        retainedUntil = keptUntil;
        leaseExpiresAt = null;
        nextRetryAt = null;
    }
}
