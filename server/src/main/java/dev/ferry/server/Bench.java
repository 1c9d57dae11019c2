package dev.ferry.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ferry bench}: drives a running Ferry the way clients do (HTTP/1.1 keep-alive connections) and prints
 * latency percentiles and throughput. It serves its own no-op handler ({@code FerryBench/noop}) on a free port and
 * registers it with an inline manifest, so it measures Ferry's overhead and nothing else.
 *
 * <p>Scenarios: sequential calls by one client; calls by 32 concurrent clients; {@code /send} by 64 concurrent
 * senders; sends delayed by one second, measuring how late after their execution time the handler starts.
 * {@code --train SECONDS} instead drives a mix of these, with unique idempotency keys too, for that long: the load
 * of {@code ferry train} ({@link Train}).
 */
final class Bench {
    private static final String MANIFEST = """
            {"services":[{"name":"FerryBench","ty":"SERVICE","handlers":[
              {"name":"noop","input":{"contentType":"application/json"},"output":{"contentType":"application/json"}},
              {"name":"delayed","input":{"contentType":"application/json"}}]}]}""";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final String ingress;

    private Bench(String ingress) {
        this.ingress = ingress;
    }

    static int main(String[] args) throws Exception {
        String ingress = "http://127.0.0.1:8080";
        String admin = "http://127.0.0.1:9070";
        int requests = 2000;
        int retain = 0;
        long pid = 0;
        int trainSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ingress" -> ingress = args[++i];
                case "--admin" -> admin = args[++i];
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--retain" -> retain = Integer.parseInt(args[++i]);
                case "--pid" -> pid = Long.parseLong(args[++i]);
                case "--train" -> trainSeconds = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: ferry bench [--ingress URL] [--admin URL] [--requests N]\n"
                            + "                   [--retain M --pid PID]\n"
                            + "  measures sequential calls, 32 concurrent callers and 64 concurrent senders;\n"
                            + "  N requests per scenario (default 2000), after a warm-up.\n"
                            + "  --retain M: instead, sends M invocations (64 senders), waits until all ran, and\n"
                            + "  prints the resident memory of process PID (the server) with them retained\n"
                            + "  --train S: instead, S seconds of mixed load (what ferry train runs)");
                    return 0;
                }
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
        AtomicLong executed = new AtomicLong();
        WebServer service = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.post("/invoke/FerryBench/noop", (req, res) -> {
                    executed.incrementAndGet();
                    byte[] body = req.content().as(byte[].class);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(body);
                }).post("/invoke/FerryBench/delayed", (req, res) -> {
                    arrivals.putIfAbsent(Integer.parseInt(new String(req.content().as(byte[].class),
                            StandardCharsets.UTF_8).replaceAll("\\D", "")), System.currentTimeMillis());
                    res.send();
                }))
                .build().start();
        try {
            Bench bench = new Bench(ingress);
            bench.register(admin, "http://127.0.0.1:" + service.port());
            if (retain > 0) {
                return bench.retained(retain, executed, pid);
            }
            if (trainSeconds > 0) {
                return bench.train(Duration.ofSeconds(trainSeconds));
            }
            // The JIT compiles Ferry's hot paths (and Kafka's, and Helidon's) during the first thousands of
            // requests; measuring before that measures the compiler.
            bench.run("warm-up", 16, Math.max(3_000, requests), Mode.CALL);
            bench.run("warm-up", 1, 500, Mode.CALL);
            System.out.printf(Locale.ROOT, "%-22s %8s %7s %8s %8s %8s %8s %10s%n",
                    "scenario", "requests", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "req/s");
            bench.run("sequential call", 1, requests, Mode.CALL).print();
            bench.run("32 concurrent calls", 32, requests, Mode.CALL).print();
            bench.run("64 concurrent sends", 64, requests, Mode.SEND).print();
            bench.delayedSends(Math.min(requests, 500), arrivals).print();
            bench.client.close();
        } finally {
            service.stop();
        }
        return 0;
    }

    /**
     * Sends {@code count} invocations, waits until every one ran, and prints the server's resident memory then:
     * each stays retained (its result kept for the journal retention, a day by default).
     */
    private int retained(int count, AtomicLong executed, long pid) throws Exception {
        long before = executed.get();
        Result sent = run("retain: sends", 64, count, Mode.SEND);
        sent.print();
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(10).toMillis();
        while (executed.get() - before < count - sent.errors() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200); // a load tool polling its own counter, not a test
        }
        System.out.printf(Locale.ROOT, "executed %d of %d accepted%n", executed.get() - before,
                count - sent.errors());
        if (pid > 0) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
                    System.out.println(line.replaceAll("\\s+", " "));
                }
            }
        }
        client.close();
        return sent.errors() == 0 ? 0 : 1;
    }

    /**
     * Rounds of the calls clients make most, until {@code duration} has passed: concurrent calls, calls with unique
     * idempotency keys, sequential calls, sends (which run while the next round's calls wait). One line a round.
     * Returns 1 when more than a tenth of the requests failed: a training run that mostly saw errors would record
     * the profile of the error paths.
     */
    private int train(Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        long requests = 0;
        long errors = 0;
        for (int round = 1; System.nanoTime() < end; round++) {
            List<Result> results = List.of(run("32 concurrent calls", 32, 2_000, Mode.CALL),
                    run("32 idempotent calls", 32, 1_000, Mode.IDEMPOTENT_CALL),
                    run("sequential calls", 1, 300, Mode.CALL),
                    run("64 concurrent sends", 64, 2_000, Mode.SEND));
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (Result result : results) {
                requests += result.latencies().length;
                errors += result.errors();
                line.append(String.format(Locale.ROOT, " %s %.0f/s,", result.name(),
                        result.latencies().length / (result.elapsedNanos() / 1e9)));
            }
            System.out.println(line.append(" errors ").append(errors));
        }
        client.close();
        return errors * 10 > requests ? 1 : 0;
    }

    private void register(String admin, String uri) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(admin + "/deployments"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"uri\":\"" + uri + "\",\"manifest\":" + MANIFEST + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("registering the bench service failed: " + response.statusCode() + " "
                    + response.body());
        }
    }

    /** A request of a scenario: a call, a call with a unique idempotency key, or a send. */
    private enum Mode {
        CALL, IDEMPOTENT_CALL, SEND
    }

    private Result run(String name, int clients, int requests, Mode mode) throws Exception {
        boolean send = mode == Mode.SEND;
        URI uri = URI.create(ingress + "/FerryBench/noop" + (send ? "/send" : ""));
        String keys = UUID.randomUUID() + "-";
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        long t0 = System.nanoTime();
                        try {
                            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(30))
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + "}"));
                            if (mode == Mode.IDEMPOTENT_CALL) {
                                request.header("idempotency-key", keys + i);
                            }
                            HttpResponse<byte[]> response = client.send(request.build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() != (send ? 202 : 200)) {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        latencies[i] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return new Result(name, latencies, errors.get(), System.nanoTime() - start);
    }

    /**
     * Sends with {@code ?delay=1s}, then reports how late each handler started after its execution time (the
     * "latency" columns) once all have run: the timer path, from the processor's wall-clock punctuator.
     */
    private Result delayedSends(int count, Map<Integer, Long> arrivals) throws Exception {
        Map<Integer, Long> due = new ConcurrentHashMap<>();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                pool.submit(() -> {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                    URI.create(ingress + "/FerryBench/delayed/send?delay=1s"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Integer.toString(index))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Matcher time = EXECUTION_TIME.matcher(response.body());
                    if (response.statusCode() != 202 || !time.find()) {
                        errors.incrementAndGet();
                    } else {
                        due.put(index, Instant.parse(time.group(1)).toEpochMilli());
                    }
                    return null;
                });
            }
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (arrivals.size() < due.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50); // a load tool polling its own counter, not a test
        }
        long[] lateness = due.entrySet().stream()
                .mapToLong(e -> arrivals.containsKey(e.getKey())
                        ? Math.max(0, arrivals.get(e.getKey()) - e.getValue()) * 1_000_000
                        : Long.MAX_VALUE)
                .toArray();
        errors.addAndGet((int) Arrays.stream(lateness).filter(l -> l == Long.MAX_VALUE).count());
        return new Result("delayed 1s: lateness", lateness, errors.get(), System.nanoTime() - start);
    }

    private static final Pattern EXECUTION_TIME = Pattern.compile("\"executionTime\":\"([^\"]+)\"");

    private record Result(String name, long[] latencies, int errors, long elapsedNanos) {
        void print() {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-22s %8d %7d %8.2f %8.2f %8.2f %8.2f %10.0f%n",
                    name, sorted.length, errors, ms(percentile(sorted, 50)), ms(percentile(sorted, 90)),
                    ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]),
                    sorted.length / (elapsedNanos / 1e9));
        }

        private static long percentile(long[] sorted, int p) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }
}
