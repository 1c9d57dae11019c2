package dev.ferry.processor;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.journal.JournalCompletion;
import dev.ferry.schemas.replies.InvocationStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The processor's record of one invocation (the value of the invocations store, keyed by invocation id). A small
 * request (up to {@link #MAX_KEPT_INPUT_BYTES}) is kept here until the invocation completes; a larger one lives apart,
 * in the inputs store, so that the frequent small updates of an attempt's life do not rewrite it. Only the state
 * machine changes this, through the transition methods below.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class InvocationState {
    /**
     * Ingress instances remembered as waiting, at most. Past it the one that registered longest ago is forgotten:
     * an instance waits on behalf of all its requests, so many ids mean mostly instances that stopped without
     * detaching (whose replies nobody reads any more). A live instance forgotten this way is not sent the result;
     * its requests get it when they attach again.
     */
    static final int MAX_WAITING_INGRESSES = 64;
    /**
     * A request up to this size ({@link StoredInput#size}) is kept in the invocation's state, not in the inputs
     * store. Written with the invocation, which a call writes anyway, it costs no changelog record of its own: in
     * the inputs store, a call's request cost two under load, its put and its tombstone, because the record cache
     * wrote it out before the call ended (docs/performance.md, eleventh session). Every write of the state while
     * the invocation waits or runs carries it again, which a few kilobytes make cheap and a large body would not.
     */
    static final int MAX_KEPT_INPUT_BYTES = 4 * 1024;

    private final InvocationId invocationId;
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
    /**
     * When the lease timer in the store for the current attempt is due, so that the attempt's end removes it; null
     * when there is none, or the state is from before this was kept (its timer then goes when it comes due).
     */
    private Long leaseTimerDue;
    private Long nextRetryAt;
    private Failure lastFailure;
    /** Who submitted the invocation, to recognise the same submission delivered again; null for producers. */
    private ReplyTo submittedBy;
    /**
     * The ingress instances that have requests waiting for the result, oldest first, without repeats. Each gets
     * the result once, for all its waiting requests; a request is not recorded here, so a flood of attaches on one
     * instance costs nothing in this record.
     */
    private List<String> waitingIngresses;
    /**
     * Requests waiting for the result, as stored before waiters were per ingress instance. Only read from older
     * state (never added to): they are answered one by one when the invocation completes.
     */
    @JsonProperty("waiters")
    private List<ReplyTo> legacyWaiters;
    /** The invocation's place in its key's inbox while it is queued there ({@link Inbox}); null otherwise. */
    private Long inboxSequence;
    /** Resolved from the registry when the invocation was accepted; null in state from before they were pinned. */
    private PinnedPolicies policies;
    /** For calls from handlers written with a Restate SDK: the callers' journal completions that get the result. */
    private List<JournalCompletion> callers;
    /**
     * The request while the invocation has not completed, when it is small (see {@link #MAX_KEPT_INPUT_BYTES}); null
     * when it is in the inputs store instead, or was stored by a Ferry that kept every request there.
     */
    private StoredInput input;
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
            @JsonProperty("invocationId") InvocationId invocationId,
            @JsonProperty("target") Target target,
            @JsonProperty("idempotencyKey") String idempotencyKey,
            @JsonProperty("createdAt") long createdAt) {
        this.invocationId = invocationId;
        this.target = target;
        this.idempotencyKey = idempotencyKey;
        this.createdAt = createdAt;
    }

    static InvocationState created(InvocationId invocationId, Target target, String idempotencyKey, String requestHash,
            String resultTopic, ReplyTo submittedBy, long createdAt) {
        InvocationState state = new InvocationState(invocationId, target, idempotencyKey, createdAt);
        state.requestHash = requestHash;
        state.resultTopic = resultTopic;
        state.submittedBy = submittedBy;
        state.isNew = true;
        return state;
    }

    /** See {@link #isNew}. */
    boolean isNew() {
        return isNew;
    }

    public InvocationId invocationId() {
        return invocationId;
    }

    public Target target() {
        return target;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** See {@link PinnedPolicies}; null in state from before they were pinned. */
    PinnedPolicies policies() {
        return policies;
    }

    void pin(PinnedPolicies policies) {
        this.policies = policies;
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

    /** The ingress instances waiting for the result, oldest first. */
    public List<String> waitingIngresses() {
        return waitingIngresses == null ? List.of() : List.copyOf(waitingIngresses);
    }

    Long inboxSequence() {
        return inboxSequence;
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

    /** The request kept in this state; null when it is in the inputs store (see {@link #input}). */
    StoredInput keptInput() {
        return input;
    }

    /**
     * Keeps the request in this state when it is small enough.
     *
     * @return whether it is kept here; if not, it belongs in the inputs store
     */
    boolean keepInput(StoredInput request) {
        if (request.size() > MAX_KEPT_INPUT_BYTES) {
            return false;
        }
        input = request;
        return true;
    }

    /**
     * Forgets the request kept here, once the invocation has no more use for it.
     *
     * @return whether one was kept here; if not, it is in the inputs store
     */
    boolean dropInput() {
        boolean kept = input != null;
        input = null;
        return kept;
    }

    /** True when {@code attempt} is the attempt now holding a lease. */
    boolean runs(int attemptNumber) {
        return status == InvocationStatus.RUNNING && attempt == attemptNumber;
    }

    /** True when {@code replyTo} is the request that submitted the invocation (its record, delivered again). */
    boolean submittedBy(ReplyTo replyTo) {
        return replyTo.equals(submittedBy) || (legacyWaiters != null && legacyWaiters.contains(replyTo));
    }

    /**
     * True when the invocation's result reaches {@code replyTo}: its ingress waits for the result (and hands it to
     * every local request waiting on this invocation), or it is a waiter stored by an older Ferry.
     */
    boolean isWaiting(ReplyTo replyTo) {
        return replyTo != null && ((waitingIngresses != null && waitingIngresses.contains(replyTo.ingressId()))
                || (legacyWaiters != null && legacyWaiters.contains(replyTo)));
    }

    /** Requests stored as waiters by an older Ferry, answered one by one. */
    List<ReplyTo> legacyWaiters() {
        return legacyWaiters == null ? List.of() : List.copyOf(legacyWaiters);
    }

    /**
     * Records that an ingress instance has a request waiting for the result.
     *
     * @return false when it was already recorded (nothing changed)
     */
    boolean addWaitingIngress(String ingressId) {
        if (waitingIngresses == null) {
            waitingIngresses = new ArrayList<>();
        }
        if (waitingIngresses.contains(ingressId)) {
            return false;
        }
        if (waitingIngresses.size() >= MAX_WAITING_INGRESSES) {
            waitingIngresses.remove(0);
        }
        waitingIngresses.add(ingressId);
        return true;
    }

    /** @return false when the instance was not recorded as waiting (nothing changed) */
    boolean removeWaitingIngress(String ingressId) {
        if (waitingIngresses == null || !waitingIngresses.remove(ingressId)) {
            return false;
        }
        if (waitingIngresses.isEmpty()) {
            waitingIngresses = null;
        }
        return true;
    }

    List<String> takeWaitingIngresses() {
        List<String> taken = waitingIngresses();
        waitingIngresses = null;
        return taken;
    }

    List<ReplyTo> takeLegacyWaiters() {
        List<ReplyTo> taken = legacyWaiters == null ? List.of() : List.copyOf(legacyWaiters);
        legacyWaiters = null;
        return taken;
    }

    void schedule(long at) {
        status = InvocationStatus.SCHEDULED;
        executeAt = at;
    }

    /** Queued in its key's inbox at {@code sequence}. */
    void inbox(long sequence) {
        status = InvocationStatus.INBOXED;
        inboxSequence = sequence;
    }

    /** Starts the next attempt under a lease that ends at {@code leaseUntil}. */
    int startNextAttempt(long now, long leaseUntil) {
        inboxSequence = null;
        attempt++;
        status = InvocationStatus.RUNNING;
        if (firstAttemptAt == null) {
            firstAttemptAt = now;
        }
        leaseExpiresAt = leaseUntil;
        leaseTimerDue = leaseUntil;
        nextRetryAt = null;
        return attempt;
    }

    /** The journal completions that wait for this invocation's result. */
    List<JournalCompletion> callers() {
        return callers == null ? List.of() : List.copyOf(callers);
    }

    /** @return false when it was already recorded (nothing changed) */
    boolean addCaller(JournalCompletion journalCompletion) {
        if (callers == null) {
            callers = new ArrayList<>();
        }
        if (callers.contains(journalCompletion)) {
            return false;
        }
        callers.add(journalCompletion);
        return true;
    }

    /** The attempt ended waiting for a notification: nothing runs until one comes. */
    void suspend() {
        status = InvocationStatus.SUSPENDED;
        leaseExpiresAt = null;
        nextRetryAt = null;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    /** Starts a fresh retry budget: the next attempt counts as the first. */
    void resetRetries() {
        retryBase = attempt;
    }

    /** Starts a fresh retry budget that counts the current attempt as its first failure. */
    void countRetriesFromThisAttempt() {
        retryBase = attempt - 1;
    }

    /** The current attempt's lease timer is now the one due at {@code due}. */
    void leaseTimerAt(long due) {
        leaseTimerDue = due;
    }

    /** When the current attempt's lease timer is due, or null; forgets it, for the timer is about to go. */
    Long takeLeaseTimerDue() {
        Long due = leaseTimerDue;
        leaseTimerDue = null;
        return due;
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
        inboxSequence = null;
        leaseExpiresAt = null;
        nextRetryAt = null;
    }
}
