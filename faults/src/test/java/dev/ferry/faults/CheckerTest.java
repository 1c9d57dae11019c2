package dev.ferry.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.faults.History.Exec;
import dev.ferry.faults.History.Op;
import dev.ferry.faults.History.Type;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Small hand-made histories, valid ones and ones with each violation, so the checker is known to catch them. */
class CheckerTest {
    private final History history = new History();
    private final AtomicLong index = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();

    private static final String A = "inv_1aaaaaaaaaaa";
    private static final String B = "inv_1bbbbbbbbbbb";
    private static final String C = "inv_1ccccccccccc";

    // ---- building blocks ------------------------------------------------------------------------------------------

    private Op op(Type type, String f, String target, String key, String value, String idem, int status, String body,
            String id, long time) {
        Op op = new Op(index.incrementAndGet(), 1, type, f, target, key, value, idem, status, body, id, time, 1);
        history.add(op);
        return op;
    }

    /** An add of {@code value} to {@code key}, invoked at {@code from}, answered 200 at {@code to}. */
    private void ackedAdd(String key, String value, String id, long from, long to) {
        op(Type.INVOKE, "add", "Set/" + key + "/add", key, value, "idem-" + value, 0, null, null, from);
        op(Type.OK, "add", "Set/" + key + "/add", key, value, "idem-" + value, 200, addAnswer(key, value, id, 1), id,
                to);
    }

    private static String addAnswer(String key, String value, String id, long exec) {
        return "{\"key\":\"" + key + "\",\"value\":\"" + value + "\",\"id\":\"" + id + "\",\"exec\":" + exec + "}";
    }

    private void execAdd(String key, String value, String id, int attempt, long start, long end) {
        history.add(new Exec(seq.incrementAndGet(), "Set", "add", key, id, value, attempt, true, start, end, true,
                addAnswer(key, value, id, seq.get())));
    }

    private void finalRead(String key, String valuesJson, long time) {
        op(Type.INVOKE, "final-read", "Set/" + key + "/get", key, null, null, 0, null, null, time - 1);
        op(Type.OK, "final-read", "Set/" + key + "/get", key, null, null, 200, valuesJson, "inv_1read" + key + time,
                time);
    }

    private Checker.Result check() {
        Checker.Result result = Checker.check(history);
        System.out.println(result.report());
        return result;
    }

    /** A history with no violation: two adds on one key one after the other, a send, a final read. */
    private void validHistory() {
        execAdd("k", "a", A, 1, 10, 20);
        ackedAdd("k", "a", A, 5, 25);
        execAdd("k", "b", B, 1, 30, 40);
        ackedAdd("k", "b", B, 6, 45);
        op(Type.INVOKE, "send", "Recorder/record", null, "s1", null, 0, null, null, 50);
        op(Type.OK, "send", "Recorder/record", null, "s1", null, 202,
                "{\"invocationId\":\"" + C + "\",\"status\":\"Accepted\"}", C, 52);
        history.add(new Exec(seq.incrementAndGet(), "Recorder", "record", null, C, "s1", 1, false, 60, 70, true,
                "{\"value\":\"s1\",\"id\":\"" + C + "\",\"exec\":3}"));
        finalRead("k", "[\"a\",\"b\"]", 100);
    }

    // ---- tests -----------------------------------------------------------------------------------------------------

    @Test
    void aValidHistoryHasNoViolation() {
        validHistory();
        Checker.Result result = check();
        assertThat(result.valid()).isTrue();
        for (String name : Checker.REQUIRED_ZERO) {
            assertThat(result.count(name)).as(name).isZero();
        }
        assertThat(result.count(Checker.INFLIGHT_REPEATS)).isZero();
        assertThat(result.stats().get("acknowledged adds")).isEqualTo(2);
    }

    @Test
    void anAcknowledgedAddMissingFromTheFinalReadIsLost() {
        execAdd("k", "a", A, 1, 10, 20);
        ackedAdd("k", "a", A, 5, 25);
        execAdd("k", "b", B, 1, 30, 40);
        ackedAdd("k", "b", B, 6, 45);
        // An add that was never answered may be missing: it is not counted.
        op(Type.INVOKE, "add", "Set/k/add", "k", "c", "idem-c", 0, null, null, 50);
        op(Type.INFO, "add", "Set/k/add", "k", "c", "idem-c", 0, null, null, 60);
        finalRead("k", "[\"a\"]", 100);
        Checker.Result result = check();
        assertThat(result.count(Checker.LOST_ACKED_ADDS)).isEqualTo(1);
        assertThat(result.counts().get(Checker.LOST_ACKED_ADDS).examples().get(0)).contains("add b to k");
        assertThat(result.valid()).isFalse();
    }

    @Test
    void theLastFinalReadCountsAndAKeyWithoutOneIsReported() {
        execAdd("k", "a", A, 1, 10, 20);
        ackedAdd("k", "a", A, 5, 25);
        finalRead("k", "[]", 90);
        finalRead("k", "[\"a\"]", 100);
        execAdd("j", "b", B, 1, 10, 20);
        ackedAdd("j", "b", B, 5, 25);
        Checker.Result result = check();
        assertThat(result.count(Checker.LOST_ACKED_ADDS)).isZero();
        assertThat(result.count(Checker.FINAL_READ_FAILED)).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyWithTwoAnswersIsAConflict() {
        validHistory();
        // The same idempotency key answered again, by another execution (another body).
        op(Type.INVOKE, "add", "Set/k/add", "k", "a", "idem-a", 0, null, null, 80);
        op(Type.OK, "add", "Set/k/add", "k", "a", "idem-a", 200, addAnswer("k", "a", A, 99), A, 85);
        Checker.Result result = check();
        assertThat(result.count(Checker.CONFLICTING_ANSWERS)).isEqualTo(1);
    }

    @Test
    void theSameAnswerTwiceIsNoConflictButTwoInvocationIdsForOneKeyAre() {
        validHistory();
        op(Type.INVOKE, "add", "Set/k/add", "k", "a", "idem-a", 0, null, null, 80);
        // JSON-equal with another field order: the same answer.
        op(Type.OK, "add", "Set/k/add", "k", "a", "idem-a", 200,
                "{\"exec\":1,\"id\":\"" + A + "\",\"value\":\"a\",\"key\":\"k\"}", A, 85);
        assertThat(check().count(Checker.CONFLICTING_ANSWERS)).isZero();

        // A send with an idempotency key accepted twice under two ids.
        op(Type.OK, "send", "Recorder/record", null, "s", "send-key", 202, "{}", "inv_1x", 90);
        op(Type.OK, "send", "Recorder/record", null, "s", "send-key", 202, "{}", "inv_1y", 91);
        assertThat(check().count(Checker.CONFLICTING_ANSWERS)).isEqualTo(1);
    }

    @Test
    void aWorkflowWithTwoDifferentResultsIsAConflict() {
        op(Type.OK, "run", "Job/j1/run", "j1", null, null, 200, "{\"key\":\"j1\",\"id\":\"" + A + "\",\"exec\":1}", A,
                10);
        op(Type.OK, "attach", "Job/j1/run", "j1", null, null, 200, "{\"key\":\"j1\",\"id\":\"" + A + "\",\"exec\":2}",
                A, 20);
        history.add(new Exec(1, "Job", "run", "j1", A, null, 1, false, 1, 5, true, "{}"));
        history.add(new Exec(2, "Job", "run", "j1", A, null, 1, false, 6, 9, true, "{}"));
        Checker.Result result = check();
        assertThat(result.count(Checker.CONFLICTING_ANSWERS)).isEqualTo(1);
        assertThat(result.count(Checker.INFLIGHT_REPEATS)).isEqualTo(1);
    }

    @Test
    void anAcceptedSendThatNeverRanIsCounted() {
        validHistory();
        op(Type.OK, "send", "Recorder/record", null, "s2", null, 202, "{}", "inv_1never", 80);
        op(Type.OK, "run-send", "Job/j9/run", "j9", null, null, 202, "{}", "inv_1neverjob", 81);
        Checker.Result result = check();
        assertThat(result.count(Checker.ACCEPTED_NEVER_EXECUTED)).isEqualTo(2);
        assertThat(result.counts().get(Checker.ACCEPTED_NEVER_EXECUTED).examples()).anyMatch(e -> e.contains("inv_1never "));
    }

    @Test
    void exclusiveExecutionsOfTwoInvocationsOnOneKeyMustNotOverlap() {
        execAdd("k", "a", A, 1, 10, 30);
        execAdd("k", "b", B, 1, 20, 40);   // overlaps a
        execAdd("k", "c", C, 1, 25, 26);   // overlaps a and b
        execAdd("other", "d", "inv_1d", 1, 10, 30); // another key: fine
        ackedAdd("k", "a", A, 5, 35);
        ackedAdd("k", "b", B, 5, 45);
        ackedAdd("k", "c", C, 5, 46);
        finalRead("k", "[\"a\",\"b\",\"c\"]", 100);
        Checker.Result result = check();
        assertThat(result.count(Checker.OVERLAPPING_EXECUTIONS)).isEqualTo(3);
    }

    @Test
    void twoExecutionsOfOneInvocationDoNotCountAsOverlapButAsARepeat() {
        execAdd("k", "a", A, 1, 10, 30);
        execAdd("k", "a", A, 2, 20, 40);
        ackedAdd("k", "a", A, 5, 45);
        finalRead("k", "[\"a\"]", 100);
        Checker.Result result = check();
        assertThat(result.count(Checker.OVERLAPPING_EXECUTIONS)).isZero();
        assertThat(result.count(Checker.INFLIGHT_REPEATS)).isEqualTo(1);
        assertThat(result.count(Checker.REEXECUTED_COMPLETED)).isZero();
        assertThat(result.valid()).isTrue();
    }

    @Test
    void anExecutionAfterTheClientGotTheAnswerIsAReexecution() {
        validHistory();
        history.add(new History.Nemesis(55, "kill", "dispatcher-1", null));
        // A ran at [10, 20] and was answered at 25; it runs again at 60.
        execAdd("k", "a", A, 1, 60, 65);
        Checker.Result result = check();
        assertThat(result.count(Checker.REEXECUTED_COMPLETED)).isEqualTo(1);
        assertThat(result.count(Checker.INFLIGHT_REPEATS)).isZero();
        assertThat(result.counts().get(Checker.REEXECUTED_COMPLETED).examples().get(0)).contains(A)
                .contains("kill dispatcher-1 at");
    }

    @Test
    void anExecutionAfterTheObjectKeyMovedOnIsAReexecutionEvenWithoutAnAnswer() {
        execAdd("k", "a", A, 1, 10, 20);
        execAdd("k", "b", B, 1, 30, 40);
        execAdd("k", "a", A, 1, 50, 55); // the key went to B, then A ran again
        ackedAdd("k", "b", B, 6, 45);
        finalRead("k", "[\"a\",\"b\"]", 100);
        Checker.Result result = check();
        assertThat(result.count(Checker.REEXECUTED_COMPLETED)).isEqualTo(1);
        assertThat(result.count(Checker.OVERLAPPING_EXECUTIONS)).isZero();
    }

    @Test
    void aRetryBeforeTheAnswerIsAnInFlightRepeat() {
        // Attempt 1 failed, attempt 2 succeeded, then the client got the answer: allowed.
        history.add(new Exec(seq.incrementAndGet(), "Set", "add", "k", A, "a", 1, true, 10, 20, false, "{}"));
        execAdd("k", "a", A, 2, 30, 40);
        ackedAdd("k", "a", A, 5, 45);
        finalRead("k", "[\"a\"]", 100);
        Checker.Result result = check();
        assertThat(result.count(Checker.INFLIGHT_REPEATS)).isEqualTo(1);
        assertThat(result.valid()).isTrue();
    }

    @Test
    void anAnswerForAnotherRequestIsMisdirected() {
        validHistory();
        op(Type.OK, "add", "Set/k/add", "k", "z", "idem-z", 200, addAnswer("k", "b", B, 2), B, 90);
        Checker.Result result = check();
        assertThat(result.count(Checker.MISDIRECTED_ANSWERS)).isEqualTo(1);
        assertThat(result.valid()).isFalse();
    }
}
