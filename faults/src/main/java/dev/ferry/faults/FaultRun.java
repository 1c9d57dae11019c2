package dev.ferry.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One run: start the cluster and the service, load it while the nemesis injects faults, heal, let it settle, read
 * every set through Ferry, wait for the accepted invocations, and check the history.
 */
public final class FaultRun {
    /** What a run is given. */
    public record Options(Duration faults, int clients, int keys, double failureRate, long seed,
            Cluster.Spec cluster, boolean keepData) {
        public Options withSeed(long seed) {
            return new Options(faults, clients, keys, failureRate, seed, cluster, keepData);
        }
    }

    /** What a run found. */
    public record Result(int run, long seed, Path dir, Checker.Result check, Nemesis.BrokerLoss brokerLoss,
            int faults, int finalReadMismatches, long unexecutedAfterWait, double setupSeconds, double totalSeconds,
            String error) {
        public boolean valid() {
            return error == null && check != null && check.valid() && brokerLoss != null && brokerLoss.recovered();
        }
    }

    private FaultRun() {}

    public static Result run(int number, Path dir, Options options) {
        long began = System.nanoTime();
        double setup = 0;
        Files.isDirectory(dir);
        History history;
        try {
            Files.createDirectories(dir);
            history = new History(dir.resolve("history.jsonl"));
        } catch (IOException e) {
            return new Result(number, options.seed(), dir, null, null, 0, 0, 0, 0, 0, e.toString());
        }
        Cluster cluster = null;
        TestService service = null;
        Thread hook = null;
        Nemesis nemesis = null;
        int mismatches = 0;
        long unexecuted = 0;
        try {
            service = new TestService(history, 2, 30, options.failureRate());
            cluster = new Cluster(dir, options.cluster());
            Cluster toClose = cluster;
            hook = new Thread(toClose::close, "fault-run-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);

            log("run " + number + ": starting 3 brokers in " + dir);
            cluster.startBrokers(Duration.ofSeconds(120));
            log("run " + number + ": starting " + cluster.roles().size() + " Ferry processes");
            cluster.startRoles(Duration.ofSeconds(180));
            cluster.register("http://" + Cluster.HOST + ":" + service.port(), Duration.ofSeconds(60));
            List<String> ingresses = cluster.ingresses().stream()
                    .map(n -> "http://" + Cluster.HOST + ":" + n.port()).toList();
            awaitServing(ingresses, Duration.ofSeconds(60));
            setup = (System.nanoTime() - began) / 1e9;
            log(String.format("run %d: set up in %.0f s; load and faults for %d s", number, setup,
                    options.faults().toSeconds()));

            Workload workload = new Workload(history, ingresses, new Workload.Spec(options.clients(), options.keys(),
                    Duration.ofSeconds(10), Duration.ofSeconds(40), options.seed()));
            workload.start();
            Thread.sleep(5000);
            nemesis = new Nemesis(cluster, history, options.seed(), Duration.ofSeconds(60));
            long end = history.now() + options.faults().toNanos();
            nemesis.run(end, true);
            history.nemesis("healed", "all", null);
            log("run " + number + ": faults over (" + nemesis.faults() + "), healed; letting the clients finish");

            workload.stop(Duration.ofSeconds(90));
            try {
                cluster.awaitReady(cluster.roles(), Duration.ofSeconds(90));
            } catch (IllegalStateException e) {
                log("run " + number + ": " + e.getMessage());
                history.nemesis("observe", "all", "not every role ready 90 s after healing: " + e.getMessage());
            }
            unexecuted = awaitExecuted(history, workload.acceptedIds(), Duration.ofSeconds(90));
            workload.observeAll();
            for (String key : new TreeSet<>(workload.keys())) {
                workload.finalRead(key, Duration.ofSeconds(60));
            }
            // Executions that come late (a stalled dispatcher, a redone dispatch) still count.
            Thread.sleep(3000);
            mismatches = crossCheck(history, service, workload.keys());
            history.flush();
            Checker.Result check = Checker.check(history);
            double total = (System.nanoTime() - began) / 1e9;
            Result result = new Result(number, options.seed(), dir, check, nemesis.brokerLoss(), nemesis.faults(),
                    mismatches, unexecuted, setup, total, null);
            Files.writeString(dir.resolve("report.txt"), report(result));
            return result;
        } catch (Exception e) {
            log("run " + number + " failed: " + e);
            e.printStackTrace();
            return new Result(number, options.seed(), dir, history.ops().isEmpty() ? null : Checker.check(history),
                    nemesis == null ? null : nemesis.brokerLoss(), nemesis == null ? 0 : nemesis.faults(), mismatches,
                    unexecuted, setup, (System.nanoTime() - began) / 1e9, e.toString());
        } finally {
            if (cluster != null) {
                cluster.close();
                if (!options.keepData()) {
                    cluster.deleteData();
                }
            }
            if (service != null) {
                service.close();
            }
            history.close();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs
                }
            }
        }
    }

    /** Waits until every ingress answers a read through Ferry: the registry and every role are in place. */
    private static void awaitServing(List<String> ingresses, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String ingress : ingresses) {
            while (true) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ingress
                            + "/Set/warm-up/get")).timeout(Duration.ofSeconds(10)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(ingress + " does not serve Set/get after " + timeout);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Waits until every accepted invocation has an execution; returns how many still have none. */
    private static long awaitExecuted(History history, Set<String> accepted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<String> executed = new java.util.HashSet<>();
            history.execs().forEach(e -> executed.add(e.invocationId()));
            long missing = accepted.stream().filter(id -> !executed.contains(id)).count();
            if (missing == 0 || System.nanoTime() > deadline) {
                return missing;
            }
            Thread.sleep(500);
        }
    }

    /** Keys whose last final read through Ferry differs from the service's own set. */
    private static int crossCheck(History history, TestService service, Set<String> keys) {
        Map<String, String> lastRead = new LinkedHashMap<>();
        for (History.Op op : history.ops()) {
            if (op.type() == History.Type.OK && "final-read".equals(op.f())) {
                lastRead.put(op.key(), op.body());
            }
        }
        int mismatches = 0;
        for (String key : keys) {
            String read = lastRead.get(key);
            if (read != null && !Checker.values(read).equals(service.set(key))) {
                mismatches++;
                history.nemesis("observe", key, "final read through Ferry " + read + " differs from the service's set "
                        + service.set(key));
            }
        }
        return mismatches;
    }

    static String report(Result r) {
        StringBuilder s = new StringBuilder();
        s.append("run ").append(r.run()).append(" (seed ").append(r.seed()).append(", ").append(r.dir()).append(")\n");
        if (r.error() != null) {
            s.append("  ERROR ").append(r.error()).append('\n');
        }
        s.append(String.format("  setup %.0f s, total %.0f s, faults %d%n", r.setupSeconds(), r.totalSeconds(),
                r.faults()));
        Nemesis.BrokerLoss loss = r.brokerLoss();
        s.append("  broker loss: ").append(loss == null ? "not run" : loss.broker() + " (led " + loss.ledPartitions()
                + " log partitions) " + (loss.recovered() ? String.format("recovered in %.1f s",
                loss.recoverySeconds()) : "NOT recovered")).append('\n');
        s.append("  final reads differing from the service's state: ").append(r.finalReadMismatches()).append('\n');
        s.append("  accepted invocations still unexecuted after the wait: ").append(r.unexecutedAfterWait())
                .append('\n');
        if (r.check() != null) {
            s.append("  ").append(r.check().report().replace("\n", "\n  ").stripTrailing()).append('\n');
        }
        return s.toString();
    }

    static void log(String line) {
        System.out.println("[faults " + java.time.LocalTime.now().withNano(0) + "] " + line);
        System.out.flush();
    }
}
