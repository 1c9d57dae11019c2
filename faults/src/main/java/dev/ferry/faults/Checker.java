package dev.ferry.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.faults.History.Exec;
import dev.ferry.faults.History.Op;
import dev.ferry.faults.History.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a run's {@link History} against Ferry's guarantees. Pure: the history in, counts (with examples) out.
 *
 * <p>Must be zero:
 * <ol>
 *   <li>{@value #LOST_ACKED_ADDS}: an {@code add} a client got {@code 200} for, whose value is not in its key's final
 *       read (the last successful {@code final-read} of the key through Ferry). An acknowledged add on a key whose
 *       final read never succeeded counts under {@value #FINAL_READ_FAILED} instead.
 *   <li>{@value #CONFLICTING_ANSWERS}: one idempotency key (per target), one workflow id, or one invocation id that
 *       clients got two different answers for: two different successful ({@code 200}) bodies (compared as JSON), or
 *       two different invocation ids ({@code 200} or {@code 202} answers alike).
 *   <li>{@value #ACCEPTED_NEVER_EXECUTED}: an invocation a client got {@code 202} for ({@code send}, {@code run-send})
 *       that the service never saw an execution of by the end of the run.
 *   <li>{@value #OVERLAPPING_EXECUTIONS}: two executions of an exclusive handler on one object key, by different
 *       invocations, whose intervals intersect (counted per pair).
 *   <li>{@value #REEXECUTED_COMPLETED}: an execution of invocation X that started after X was complete. X is complete
 *       (a) from the moment a client received a final answer carrying X's id ({@code 200} to a call, an idempotent
 *       repeat, an attach or an output), or (b), for exclusive handlers, from the moment another invocation on the
 *       same object key started after an execution of X had ended: Ferry releases an object key only when its
 *       invocation is done, so an execution of X after that is one of a finished invocation. An execution of X that
 *       started before either moment is an in-flight repeat.
 * </ol>
 * Also must be zero: {@value #MISDIRECTED_ANSWERS} (a {@code 200} whose body is another request's answer: another
 * value, another object key or workflow id, or an {@code x-restate-id} that differs from the id the service saw) and
 * {@value #FINAL_READ_FAILED} (a key whose final read never succeeded after the faults healed).
 *
 * <p>Counted, allowed by at-least-once: {@value #INFLIGHT_REPEATS}, the executions of an invocation beyond its first
 * that are not re-executions of a completed invocation (a retry after a failed attempt, a dispatcher that died or
 * stalled mid-call, a dispatch redone after a processor failover, ...).
 */
public final class Checker {
    public static final String LOST_ACKED_ADDS = "lost-acked-adds";
    public static final String CONFLICTING_ANSWERS = "conflicting-answers";
    public static final String ACCEPTED_NEVER_EXECUTED = "accepted-never-executed";
    public static final String OVERLAPPING_EXECUTIONS = "overlapping-executions";
    public static final String REEXECUTED_COMPLETED = "reexecuted-completed";
    public static final String MISDIRECTED_ANSWERS = "misdirected-answers";
    public static final String FINAL_READ_FAILED = "final-read-failed";
    public static final String INFLIGHT_REPEATS = "inflight-repeats";

    /** The five counts the issue requires to be zero. */
    public static final List<String> REQUIRED_ZERO = List.of(LOST_ACKED_ADDS, CONFLICTING_ANSWERS,
            ACCEPTED_NEVER_EXECUTED, OVERLAPPING_EXECUTIONS, REEXECUTED_COMPLETED);
    /** Further counts that must be zero. */
    public static final List<String> ALSO_ZERO = List.of(MISDIRECTED_ANSWERS, FINAL_READ_FAILED);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXAMPLES = 5;

    /** A count and a few examples of what was counted. */
    public record Count(long n, List<String> examples) {}

    /** Everything the checker found, with statistics of the history. */
    public record Result(Map<String, Count> counts, Map<String, Long> stats) {
        public long count(String name) {
            return counts.get(name).n();
        }

        /** Whether every must-be-zero count is zero. */
        public boolean valid() {
            return REQUIRED_ZERO.stream().allMatch(c -> count(c) == 0)
                    && ALSO_ZERO.stream().allMatch(c -> count(c) == 0);
        }

        public String report() {
            StringBuilder s = new StringBuilder();
            s.append(valid() ? "VALID" : "INVALID").append('\n');
            stats.forEach((name, n) -> s.append(String.format("  %-28s %d%n", name, n)));
            counts.forEach((name, count) -> {
                String tag = REQUIRED_ZERO.contains(name) || ALSO_ZERO.contains(name) ? "must be 0" : "allowed";
                s.append(String.format("  %-28s %-6d (%s)%n", name, count.n(), tag));
                for (String example : count.examples()) {
                    s.append("      e.g. ").append(example).append('\n');
                }
            });
            return s.toString();
        }
    }

    private final Map<String, List<String>> examples = new LinkedHashMap<>();
    /** The nemesis's kills and pauses, to say in an example which fault came last before it. */
    private List<History.Nemesis> faults = List.of();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    private Checker() {
        for (String name : List.of(LOST_ACKED_ADDS, CONFLICTING_ANSWERS, ACCEPTED_NEVER_EXECUTED,
                OVERLAPPING_EXECUTIONS, REEXECUTED_COMPLETED, MISDIRECTED_ANSWERS, FINAL_READ_FAILED,
                INFLIGHT_REPEATS)) {
            counts.put(name, 0L);
            examples.put(name, new ArrayList<>());
        }
    }

    public static Result check(History history) {
        Checker checker = new Checker();
        checker.faults = history.nemesisEvents().stream()
                .filter(n -> n.action().equals("kill") || n.action().equals("pause")).toList();
        return checker.run(history.ops(), history.execs());
    }

    private void count(String name, String example) {
        counts.merge(name, 1L, Long::sum);
        List<String> list = examples.get(name);
        if (list.size() < EXAMPLES) {
            list.add(example);
        }
    }

    private Result run(List<Op> ops, List<Exec> execs) {
        List<Op> completions = ops.stream().filter(op -> op.type() != Type.INVOKE).toList();
        Map<String, List<Exec>> execsById = new HashMap<>();
        for (Exec exec : execs) {
            execsById.computeIfAbsent(exec.invocationId(), id -> new ArrayList<>()).add(exec);
        }
        execsById.values().forEach(list -> list.sort(Comparator.comparingLong(Exec::start)));

        lostAckedAdds(completions);
        conflictingAnswers(completions);
        acceptedNeverExecuted(completions, execsById);
        overlappingExecutions(execs);
        reexecutions(completions, execs, execsById);
        misdirectedAnswers(completions, execsById);

        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("operations", ops.stream().filter(op -> op.type() == Type.INVOKE).count());
        for (Type type : List.of(Type.OK, Type.FAIL, Type.INFO)) {
            stats.put("operations " + type.name().toLowerCase(),
                    completions.stream().filter(op -> op.type() == type).count());
        }
        stats.put("acknowledged adds", completions.stream().filter(Checker::ackedAdd).count());
        stats.put("accepted (202) invocations", completions.stream()
                .filter(op -> op.type() == Type.OK && op.status() == 202 && op.invocationId() != null)
                .map(Op::invocationId).distinct().count());
        stats.put("executions", (long) execs.size());
        stats.put("invocations executed", (long) execsById.size());

        Map<String, Count> result = new LinkedHashMap<>();
        counts.forEach((name, n) -> result.put(name, new Count(n, List.copyOf(examples.get(name)))));
        return new Result(result, stats);
    }

    private static boolean ackedAdd(Op op) {
        return op.type() == Type.OK && "add".equals(op.f()) && op.status() == 200;
    }

    // 1. Acknowledged adds missing from the final read.
    private void lostAckedAdds(List<Op> completions) {
        Map<String, Op> finalReads = new HashMap<>();
        for (Op op : completions) {
            if (op.type() == Type.OK && "final-read".equals(op.f())) {
                Op previous = finalReads.get(op.key());
                if (previous == null || previous.time() < op.time()) {
                    finalReads.put(op.key(), op);
                }
            }
        }
        Map<String, Set<String>> finalSets = new HashMap<>();
        finalReads.forEach((key, op) -> finalSets.put(key, values(op.body())));
        Set<String> keys = new LinkedHashSet<>();
        for (Op op : completions) {
            if ("final-read".equals(op.f()) || "add".equals(op.f())) {
                keys.add(op.key());
            }
        }
        for (String key : keys) {
            if (!finalSets.containsKey(key)) {
                count(FINAL_READ_FAILED, "key " + key + ": no final read succeeded");
            }
        }
        for (Op op : completions) {
            if (ackedAdd(op)) {
                Set<String> read = finalSets.get(op.key());
                if (read != null && !read.contains(op.value())) {
                    count(LOST_ACKED_ADDS, "add " + op.value() + " to " + op.key() + " (" + op.invocationId()
                            + ", answered at " + ms(op.time()) + ") is not in the final read " + abbreviate(read));
                }
            }
        }
    }

    // 2. Idempotency keys, workflow ids and invocation ids with two different answers.
    private void conflictingAnswers(List<Op> completions) {
        Map<String, List<Op>> byEntity = new TreeMap<>();
        for (Op op : completions) {
            if (op.type() != Type.OK || (op.status() != 200 && op.status() != 202)) {
                continue;
            }
            if ("read".equals(op.f()) || "final-read".equals(op.f())) {
                continue; // reads are new invocations each time
            }
            String entity = entity(op);
            if (entity != null) {
                byEntity.computeIfAbsent(entity, e -> new ArrayList<>()).add(op);
            }
        }
        byEntity.forEach((entity, answers) -> {
            Set<String> ids = new LinkedHashSet<>();
            Set<JsonNode> bodies = new LinkedHashSet<>();
            for (Op op : answers) {
                if (op.invocationId() != null) {
                    ids.add(op.invocationId());
                }
                if (op.status() == 200) {
                    bodies.add(json(op.body()));
                }
            }
            if (ids.size() > 1 || bodies.size() > 1) {
                count(CONFLICTING_ANSWERS, entity + ": " + (ids.size() > 1 ? "invocation ids " + ids + " " : "")
                        + (bodies.size() > 1 ? "answers " + abbreviate(bodies) : ""));
            }
        });
    }

    /** What one answer must agree with: the idempotency key (per target), else the workflow id, else the invocation. */
    static String entity(Op op) {
        if (op.idem() != null && op.target() != null) {
            return "idempotency " + op.target() + " " + op.idem();
        }
        if (op.target() != null && op.target().startsWith("Job/")) {
            return "workflow " + op.target();
        }
        return op.invocationId() == null ? null : "invocation " + op.invocationId();
    }

    // 3. Accepted invocations never executed.
    private void acceptedNeverExecuted(List<Op> completions, Map<String, List<Exec>> execsById) {
        Set<String> accepted = new LinkedHashSet<>();
        Map<String, Op> byId = new HashMap<>();
        for (Op op : completions) {
            if (op.type() == Type.OK && op.status() == 202 && op.invocationId() != null) {
                accepted.add(op.invocationId());
                byId.putIfAbsent(op.invocationId(), op);
            }
        }
        for (String id : accepted) {
            if (!execsById.containsKey(id)) {
                Op op = byId.get(id);
                count(ACCEPTED_NEVER_EXECUTED, id + " (" + op.f() + " " + op.target()
                        + (op.idem() != null ? " idempotency-key " + op.idem() : "") + ", accepted at "
                        + ms(op.time()) + ")");
            }
        }
    }

    // 4. Overlapping executions of an exclusive handler on one object key, by different invocations.
    private void overlappingExecutions(List<Exec> execs) {
        Map<String, List<Exec>> byKey = new TreeMap<>();
        for (Exec exec : execs) {
            if (exec.exclusive()) {
                byKey.computeIfAbsent(exec.service() + "/" + exec.key(), k -> new ArrayList<>()).add(exec);
            }
        }
        byKey.forEach((key, list) -> {
            list.sort(Comparator.comparingLong(Exec::start));
            for (int i = 0; i < list.size(); i++) {
                Exec a = list.get(i);
                for (int j = i + 1; j < list.size() && list.get(j).start() < a.end(); j++) {
                    Exec b = list.get(j);
                    if (!a.invocationId().equals(b.invocationId())) {
                        count(OVERLAPPING_EXECUTIONS, key + ": " + describe(a) + " and " + describe(b)
                                + lastFault(b.start()));
                    }
                }
            }
        });
    }

    // 5 and 6. Executions after completion; the other repeats are in-flight repeats.
    private void reexecutions(List<Op> completions, List<Exec> execs, Map<String, List<Exec>> execsById) {
        Map<String, Long> answeredAt = new HashMap<>();
        Map<String, Op> answeredBy = new HashMap<>();
        for (Op op : completions) {
            if (op.type() == Type.OK && op.status() == 200 && op.invocationId() != null
                    && !"read".equals(op.f()) && !"final-read".equals(op.f())) {
                Long previous = answeredAt.get(op.invocationId());
                if (previous == null || op.time() < previous) {
                    answeredAt.put(op.invocationId(), op.time());
                    answeredBy.put(op.invocationId(), op);
                }
            }
            // Reads are invocations too, answered once: their answers count as completions of them as well.
            if (op.type() == Type.OK && op.status() == 200 && op.invocationId() != null
                    && ("read".equals(op.f()) || "final-read".equals(op.f()))) {
                answeredAt.merge(op.invocationId(), op.time(), Math::min);
                answeredBy.putIfAbsent(op.invocationId(), op);
            }
        }
        // (b) The object key moved on: another invocation on the key started after an execution of X ended.
        Map<String, Long> movedOnAt = new HashMap<>();
        Map<String, Exec> movedOnBy = new HashMap<>();
        Map<String, List<Exec>> byKey = new HashMap<>();
        for (Exec exec : execs) {
            if (exec.exclusive()) {
                byKey.computeIfAbsent(exec.service() + "/" + exec.key(), k -> new ArrayList<>()).add(exec);
            }
        }
        for (List<Exec> list : byKey.values()) {
            list.sort(Comparator.comparingLong(Exec::start));
            // For each execution of X, the first execution of another invocation that starts after it ended.
            for (int i = 0; i < list.size(); i++) {
                Exec x = list.get(i);
                for (int j = i + 1; j < list.size(); j++) {
                    Exec y = list.get(j);
                    if (y.start() > x.end() && !y.invocationId().equals(x.invocationId())) {
                        Long known = movedOnAt.get(x.invocationId());
                        if (known == null || y.start() < known) {
                            movedOnAt.put(x.invocationId(), y.start());
                            movedOnBy.put(x.invocationId(), y);
                        }
                        break;
                    }
                }
            }
        }
        execsById.forEach((id, list) -> {
            Long answered = answeredAt.get(id);
            Long movedOn = movedOnAt.get(id);
            for (int i = 1; i < list.size(); i++) {
                Exec exec = list.get(i);
                if (answered != null && exec.start() > answered) {
                    Op op = answeredBy.get(id);
                    count(REEXECUTED_COMPLETED, describe(exec) + " started " + ms(exec.start() - answered)
                            + " after a client got its answer (" + op.f() + " " + op.target() + " status "
                            + op.status() + " at " + ms(answered) + "); executions: " + describeAll(list)
                            + lastFault(exec.start()));
                } else if (movedOn != null && exec.start() > movedOn) {
                    count(REEXECUTED_COMPLETED, describe(exec) + " started after " + describe(movedOnBy.get(id))
                            + " had taken the object key over; executions: " + describeAll(list)
                            + lastFault(exec.start()));
                } else {
                    count(INFLIGHT_REPEATS, describe(exec) + "; executions: " + describeAll(list)
                            + lastFault(exec.start()));
                }
            }
        });
    }

    // Answers that belong to another request.
    private void misdirectedAnswers(List<Op> completions, Map<String, List<Exec>> execsById) {
        for (Op op : completions) {
            if (op.type() != Type.OK || op.status() != 200 || op.body() == null) {
                continue;
            }
            JsonNode body = json(op.body());
            String problem = null;
            switch (op.f()) {
                case "add" -> {
                    if (!body.path("value").asText("\u0000").equals(op.value())) {
                        problem = "the answer's value is " + body.path("value");
                    } else if (!body.path("key").asText("\u0000").equals(op.key())) {
                        problem = "the answer's key is " + body.path("key");
                    }
                }
                case "run", "attach" -> {
                    if (!body.path("key").asText("\u0000").equals(op.key())) {
                        problem = "the answer's workflow id is " + body.path("key");
                    }
                }
                case "output" -> {
                    if (op.value() != null && !body.path("value").asText("\u0000").equals(op.value())) {
                        problem = "the answer's value is " + body.path("value");
                    }
                }
                default -> {
                    // reads: the answer is a set
                }
            }
            if (problem == null && body.has("id") && op.invocationId() != null
                    && !body.path("id").asText().equals(op.invocationId())) {
                problem = "x-restate-id " + op.invocationId() + " but the service ran " + body.path("id").asText();
            }
            if (problem != null) {
                count(MISDIRECTED_ANSWERS, op.f() + " " + op.target() + " value " + op.value() + ": " + problem);
            }
        }
    }

    /**
     * The nemesis's kills and pauses in the 10 s before {@code time} (or the last one before it), for the examples: a
     * hint where to look, not a cause (a group's session timeout, a lease, a retry delay lie between).
     */
    private String lastFault(long time) {
        StringBuilder recent = new StringBuilder();
        History.Nemesis last = null;
        for (History.Nemesis fault : faults) {
            if (fault.time() < time) {
                last = fault;
                if (fault.time() > time - 10_000_000_000L) {
                    recent.append(recent.isEmpty() ? "" : ", ").append(fault.action()).append(' ')
                            .append(fault.target()).append(" at ").append(ms(fault.time()));
                }
            }
        }
        if (!recent.isEmpty()) {
            return "; faults in the 10 s before: " + recent;
        }
        return last == null ? "" : "; the last fault before: " + last.action() + " " + last.target() + " at "
                + ms(last.time());
    }

    static Set<String> values(String body) {
        Set<String> values = new HashSet<>();
        JsonNode node = json(body);
        for (JsonNode value : node) {
            values.add(value.asText());
        }
        return values;
    }

    private static JsonNode json(String body) {
        if (body == null || body.isEmpty()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    private static String describe(Exec exec) {
        return exec.service() + "/" + exec.handler() + (exec.key() == null ? "" : "[" + exec.key() + "]") + " "
                + exec.invocationId() + " attempt " + exec.attempt() + " exec#" + exec.seq() + " ["
                + ms(exec.start()) + ", " + ms(exec.end()) + "]" + (exec.ok() ? "" : " failed");
    }

    private static String describeAll(List<Exec> list) {
        StringBuilder s = new StringBuilder();
        for (Exec exec : list) {
            s.append(s.isEmpty() ? "" : ", ").append("#").append(exec.seq()).append(" attempt ").append(exec.attempt())
                    .append(" [").append(ms(exec.start())).append(", ").append(ms(exec.end())).append("]");
        }
        return s.toString();
    }

    static String ms(long nanos) {
        return String.format("%.3fs", nanos / 1e9);
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
