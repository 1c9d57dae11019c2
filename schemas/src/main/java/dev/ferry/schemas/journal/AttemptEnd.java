package dev.ferry.schemas.journal;

import dev.ferry.schemas.commands.Failure;
import java.util.List;

/**
 * How an attempt of a service written with a Restate SDK ended, as the service said it:
 *
 * <ul>
 *   <li>{@code ENDED}: the service wrote its output command and an {@code EndMessage}; the invocation is done;
 *   <li>{@code SUSPENDED}: the service needs a notification it does not have yet; it waits for any of
 *       {@code awaitedCompletions}, {@code awaitedSignals} or {@code awaitedNamedSignals} (a cancel signal among
 *       them, always);
 *   <li>{@code FAILED}: the service sent an {@code ErrorMessage}: the attempt failed with {@code failure}, to be
 *       retried after {@code retryAfterMillis} when given, or paused when {@code pause} (a journal mismatch, or the
 *       service asking for it).
 * </ul>
 */
public record AttemptEnd(
        Kind kind,
        List<Integer> awaitedCompletions,
        List<Integer> awaitedSignals,
        List<String> awaitedNamedSignals,
        Failure failure,
        Long retryAfterMillis,
        boolean pause) {
    public enum Kind { ENDED, SUSPENDED, FAILED }

    public AttemptEnd {
        if (kind == null) {
            throw new IllegalArgumentException("an attempt end needs its kind");
        }
        if (kind == Kind.FAILED && failure == null) {
            throw new IllegalArgumentException("a failed attempt needs its failure");
        }
        awaitedCompletions = awaitedCompletions == null ? List.of() : List.copyOf(awaitedCompletions);
        awaitedSignals = awaitedSignals == null ? List.of() : List.copyOf(awaitedSignals);
        awaitedNamedSignals = awaitedNamedSignals == null ? List.of() : List.copyOf(awaitedNamedSignals);
    }

    public static AttemptEnd ended() {
        return new AttemptEnd(Kind.ENDED, null, null, null, null, null, false);
    }

    public static AttemptEnd suspended(List<Integer> completions, List<Integer> signals, List<String> namedSignals) {
        return new AttemptEnd(Kind.SUSPENDED, completions, signals, namedSignals, null, null, false);
    }

    public static AttemptEnd failed(Failure failure, Long retryAfterMillis, boolean pause) {
        return new AttemptEnd(Kind.FAILED, null, null, null, failure, retryAfterMillis, pause);
    }
}
