package dev.ferry.processor;

import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one partition's invocations for the admin API, from its stores and never on the stream thread: a page in
 * listing order through the {@code invocations-by-time} index, or one invocation's view. The work of a page is
 * bounded whatever the filter: it examines at most {@link #MAX_EXAMINED} index entries and stops at about
 * {@link #ANSWER_BUDGET_BYTES} of views, and then says where it stopped so the next page goes on from there.
 */
final class InvocationListing {
    /** Index entries one page examines per partition at most: a filter that matches nothing stops here. */
    static final int MAX_EXAMINED = 10_000;
    /** Views one answer carries at most, in JSON bytes (one view more may go over). */
    static final int ANSWER_BUDGET_BYTES = 1024 * 1024;
    /** A failure message in a list keeps this many characters: Restate's carry whole stack traces. */
    static final int LISTED_FAILURE_CHARS = 1_000;
    /** A failure message of one described invocation keeps this many characters. */
    static final int DESCRIBED_FAILURE_CHARS = 64 * 1024;

    private final ReadOnlyKeyValueStore<String, byte[]> invocationsByTime;
    private final ReadOnlyKeyValueStore<String, InvocationState> invocations;

    InvocationListing(ReadOnlyKeyValueStore<String, byte[]> invocationsByTime,
            ReadOnlyKeyValueStore<String, InvocationState> invocations) {
        this.invocationsByTime = invocationsByTime;
        this.invocations = invocations;
    }

    /** What a list asks for; a null field matches anything. */
    record Filter(String status, String service, String handler, String key) {
        static final Filter ANY = new Filter(null, null, null, null);

        boolean matches(InvocationState invocation) {
            return (status == null || status.equals(invocation.status().wire()))
                    && (service == null || service.equals(invocation.target().service()))
                    && (handler == null || handler.equals(invocation.target().handler()))
                    && (key == null || key.equals(invocation.target().key()));
        }
    }

    /**
     * @param invocations the matches, in listing order
     * @param scannedTo the last index entry examined when the scan stopped before the partition's end; null at the end
     */
    record Page(List<InvocationView> invocations, InvocationCursor scannedTo) {}

    /** Up to {@code limit} matches after {@code after} (null: from the newest), examining at most {@code maxExamined}. */
    Page page(Filter filter, InvocationCursor after, int limit, int maxExamined) {
        List<InvocationView> views = new ArrayList<>();
        int examined = 0;
        long bytes = 0;
        String lastKey = null;
        try (KeyValueIterator<String, byte[]> range = after == null
                ? invocationsByTime.all() : invocationsByTime.range(InvocationsByTime.after(after), null)) {
            while (range.hasNext()) {
                if (views.size() >= limit || examined >= maxExamined || bytes >= ANSWER_BUDGET_BYTES) {
                    return new Page(views, InvocationsByTime.cursor(lastKey));
                }
                KeyValue<String, byte[]> entry = range.next();
                examined++;
                lastKey = entry.key;
                if (!InvocationsByTime.mayMatch(entry.value, filter.service(), filter.handler())) {
                    continue;
                }
                InvocationState invocation = invocations.get(InvocationsByTime.cursor(entry.key).invocationId());
                if (invocation != null && filter.matches(invocation)) { // null: deleted since the index was read
                    InvocationView view = view(invocation, LISTED_FAILURE_CHARS);
                    views.add(view);
                    bytes += Json.write(view).length;
                }
            }
        }
        return new Page(views, null);
    }

    /** The invocation's view; null when there is no such invocation. */
    InvocationView describe(InvocationId invocationId) {
        InvocationState invocation = invocations.get(invocationId.toString());
        return invocation == null ? null : view(invocation, DESCRIBED_FAILURE_CHARS);
    }

    static InvocationView view(InvocationState invocation, int maxFailureChars) {
        Outcome outcome = invocation.outcome();
        return new InvocationView(
                invocation.invocationId(),
                invocation.target().toString(),
                invocation.target().service(),
                invocation.target().handler(),
                invocation.target().key(),
                invocation.idempotencyKey(),
                invocation.status().wire(),
                invocation.attempt(),
                capped(invocation.lastFailure(), maxFailureChars),
                InvocationView.time(invocation.nextRetryAt()),
                InvocationView.time(invocation.createdAt()),
                InvocationView.time(invocation.executeAt()),
                InvocationView.time(invocation.firstAttemptAt()),
                InvocationView.time(invocation.completedAt()),
                InvocationView.time(invocation.retainedUntil()),
                outcome == null ? null : outcome.succeeded() ? "success" : "failure",
                outcome == null ? null : capped(outcome.failure(), maxFailureChars),
                invocation.createdAt());
    }

    /** The failure with its message cut to {@code maxChars} characters, saying how much was cut. */
    static Failure capped(Failure failure, int maxChars) {
        if (failure == null || failure.message() == null || failure.message().length() <= maxChars) {
            return failure;
        }
        String message = failure.message();
        int end = Character.isHighSurrogate(message.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return new Failure(failure.code(),
                message.substring(0, end) + "… (" + (message.length() - end) + " more characters)");
    }
}
