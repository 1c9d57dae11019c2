package dev.ferry.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the fault harness a number of times and prints a table of the checker's counts per run and in all, and
 * writes them to {@code summary.json}. {@code faults/run --runs 10 --duration 120} (see README.md).
 *
 * <p>Options: {@code --runs N} (1), {@code --duration S} seconds of faults per run (120), {@code --clients N} (4),
 * {@code --keys N} (4), {@code --failure-rate R} share of executions the service fails with 500 (0.02),
 * {@code --seed N} (the time), {@code --dir D} (faults/target/runs/&lt;time&gt;), {@code --keep-data true} (keep the
 * brokers' and processes' data after a run; their logs and the history are always kept). {@code --check F} checks a
 * recorded {@code history.jsonl} again instead of running.
 */
public final class FaultRunner {
    private static final List<String> COLUMNS = List.of(Checker.LOST_ACKED_ADDS, Checker.CONFLICTING_ANSWERS,
            Checker.ACCEPTED_NEVER_EXECUTED, Checker.OVERLAPPING_EXECUTIONS, Checker.REEXECUTED_COMPLETED,
            Checker.MISDIRECTED_ANSWERS, Checker.FINAL_READ_FAILED, Checker.INFLIGHT_REPEATS);
    private static final List<String> HEADERS = List.of("lost", "conflict", "202-lost", "overlap", "re-exec",
            "misdir", "readfail", "inflight");

    private FaultRunner() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: faults/run [--runs N] [--duration S] [--clients N] [--keys N]"
                        + " [--failure-rate R] [--seed N] [--dir D] [--keep-data true] | --check history.jsonl");
                System.exit(2);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        if (opts.containsKey("check")) {
            // Check a recorded history again: faults/run --check faults/target/runs/<time>/run-1/history.jsonl
            Checker.Result result = Checker.check(History.read(Path.of(opts.get("check"))));
            System.out.println(result.report());
            System.exit(result.valid() ? 0 : 1);
        }
        int runs = Integer.parseInt(opts.getOrDefault("runs", "1"));
        Path dir = Path.of(opts.getOrDefault("dir", "faults/target/runs/"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        FaultRun.Options options = new FaultRun.Options(
                Duration.ofSeconds(Long.parseLong(opts.getOrDefault("duration", "120"))),
                Integer.parseInt(opts.getOrDefault("clients", "4")),
                Integer.parseInt(opts.getOrDefault("keys", "4")),
                Double.parseDouble(opts.getOrDefault("failure-rate", "0.02")),
                Long.parseLong(opts.getOrDefault("seed", Long.toString(System.currentTimeMillis()))),
                Cluster.Spec.standard(),
                Boolean.parseBoolean(opts.getOrDefault("keep-data", "false")));
        List<FaultRun.Result> results = runAll(runs, dir, options);
        System.exit(results.stream().allMatch(FaultRun.Result::valid) ? 0 : 1);
    }

    /** Runs {@code runs} runs (seeds seed, seed+1, ...) in {@code dir}/run-N; prints and writes the summary. */
    public static List<FaultRun.Result> runAll(int runs, Path dir, FaultRun.Options options) throws IOException {
        Files.createDirectories(dir);
        List<FaultRun.Result> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            FaultRun.Options these = options.withSeed(options.seed() + run - 1);
            FaultRun.Result result = FaultRun.run(run, dir.resolve("run-" + run), these);
            results.add(result);
            System.out.println(FaultRun.report(result));
            System.out.println(table(results));
            writeSummary(dir.resolve("summary.json"), results, options);
        }
        return results;
    }

    static String table(List<FaultRun.Result> results) {
        StringBuilder s = new StringBuilder();
        String header = String.format("%-4s %7s %6s %6s", "run", "ops", "acked", "faults");
        for (String h : HEADERS) {
            header += String.format(" %8s", h);
        }
        header += String.format(" %10s %8s  %s", "brokerloss", "minutes", "verdict");
        s.append(header).append('\n');
        long[] totals = new long[COLUMNS.size()];
        long ops = 0;
        long acked = 0;
        long faults = 0;
        int valid = 0;
        double minutes = 0;
        for (FaultRun.Result r : results) {
            Checker.Result c = r.check();
            long o = c == null ? 0 : c.stats().get("operations");
            long a = c == null ? 0 : c.stats().get("acknowledged adds");
            ops += o;
            acked += a;
            faults += r.faults();
            minutes += r.totalSeconds() / 60;
            String row = String.format("%-4d %7d %6d %6d", r.run(), o, a, r.faults());
            for (int i = 0; i < COLUMNS.size(); i++) {
                long n = c == null ? -1 : c.count(COLUMNS.get(i));
                totals[i] += Math.max(0, n);
                row += String.format(" %8s", n < 0 ? "-" : Long.toString(n));
            }
            String loss = r.brokerLoss() == null ? "-" : r.brokerLoss().recovered()
                    ? String.format("%.1fs", r.brokerLoss().recoverySeconds()) : "NO";
            row += String.format(" %10s %8.1f  %s", loss, r.totalSeconds() / 60,
                    r.valid() ? "valid" : r.error() != null ? "ERROR" : "INVALID");
            if (r.valid()) {
                valid++;
            }
            s.append(row).append('\n');
        }
        String row = String.format("%-4s %7d %6d %6d", "all", ops, acked, faults);
        for (long total : totals) {
            row += String.format(" %8d", total);
        }
        row += String.format(" %10s %8.1f  %d/%d valid", "", minutes, valid, results.size());
        s.append(row).append('\n');
        s.append("must be 0: lost (acknowledged adds missing from the final read), conflict (idempotency keys, workflow"
                + " ids or invocations with two answers), 202-lost (accepted, never executed), overlap (exclusive"
                + " executions of two invocations on one key), re-exec (executions of completed invocations), misdir"
                + " (another request's answer), readfail (keys whose final read failed); allowed: inflight (repeated"
                + " executions of in-flight invocations).\n");
        return s.toString();
    }

    private static void writeSummary(Path file, List<FaultRun.Result> results, FaultRun.Options options)
            throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("faultSeconds", options.faults().toSeconds());
        summary.put("clients", options.clients());
        summary.put("keys", options.keys());
        summary.put("failureRate", options.failureRate());
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        for (FaultRun.Result r : results) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("run", r.run());
            run.put("seed", r.seed());
            run.put("dir", r.dir().toString());
            run.put("valid", r.valid());
            run.put("error", r.error());
            run.put("faults", r.faults());
            run.put("setupSeconds", Math.round(r.setupSeconds()));
            run.put("totalSeconds", Math.round(r.totalSeconds()));
            run.put("brokerLoss", r.brokerLoss());
            run.put("finalReadMismatches", r.finalReadMismatches());
            run.put("unexecutedAfterWait", r.unexecutedAfterWait());
            if (r.check() != null) {
                run.put("stats", r.check().stats());
                run.put("counts", r.check().counts());
                r.check().counts().forEach((name, count) -> totals.merge(name, count.n(), Long::sum));
            }
            runs.add(run);
        }
        summary.put("runs", runs);
        summary.put("totals", totals);
        summary.put("validRuns", results.stream().filter(FaultRun.Result::valid).count());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
    }
}
