package dev.ferry.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.faults.History.Op;
import dev.ferry.faults.History.Type;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The clients: a few threads that add to sets with idempotency keys, send, run workflows and read, against every
 * ingress in turn, recording each operation in the {@link History}. They retry as a Restate client would: an add with
 * its idempotency key on a timeout, a refused connection or a 5xx, a workflow run by its id; a send without an
 * idempotency key only when it surely was not taken (no connection, 503, 429), since a blind retry would duplicate it.
 */
public final class Workload {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the clients behave. */
    public record Spec(int clients, int keys, Duration requestTimeout, Duration opDeadline, long seed) {
        public static Spec standard(long seed) {
            return new Spec(4, 4, Duration.ofSeconds(10), Duration.ofSeconds(40), seed);
        }
    }

    /** An accepted invocation whose output the observer may fetch (a completion observation for the checker). */
    private record Accepted(String id, String f, String target, String key, String value, String idem) {}

    private final History history;
    private final List<String> ingresses;
    private final Spec spec;
    private final HttpClient http;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Accepted> unobserved = new ConcurrentLinkedQueue<>();
    private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();

    public Workload(History history, List<String> ingresses, Spec spec) {
        this.history = history;
        this.ingresses = List.copyOf(ingresses);
        this.spec = spec;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    public void start() {
        for (int i = 0; i < spec.clients(); i++) {
            int process = i + 1;
            Thread thread = Thread.ofPlatform().name("client-" + process).daemon().start(() -> client(process));
            threads.add(thread);
        }
        threads.add(Thread.ofPlatform().name("observer").daemon().start(this::observer));
    }

    /** Stops starting operations and waits for the ones under way (they retry up to their deadline). */
    public void stop(Duration timeout) throws InterruptedException {
        stop.set(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    /** Every object key the clients added to. */
    public Set<String> keys() {
        return Set.copyOf(keys);
    }

    /** Invocation ids answered 202. */
    public Set<String> acceptedIds() {
        return Set.copyOf(accepted.keySet());
    }

    // ---- the clients ------------------------------------------------------------------------------------------------

    private void client(int process) {
        Random random = new Random(spec.seed() * 1000 + process);
        int n = 0;
        while (!stop.get()) {
            n++;
            double r = random.nextDouble();
            try {
                if (r < 0.45) {
                    add(process, random, "c" + process + "-" + n);
                } else if (r < 0.65) {
                    send(process, random, "s" + process + "-" + n);
                } else if (r < 0.80) {
                    workflow(process, random, "j" + process + "-" + n);
                } else {
                    read(process, random);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("client " + process + ": " + e);
            }
        }
    }

    private String key(Random random) {
        String key = "k" + random.nextInt(spec.keys());
        keys.add(key);
        return key;
    }

    /** An HTTP answer, or none (status 0) with the reason, and whether the request surely was not taken. */
    record Answer(int status, String body, String invocationId, String error, boolean notSent) {
        boolean retryable() {
            return status == 0 || status >= 500 || status == 408 || status == 429;
        }
    }

    Answer request(int ingress, String method, String path, String body, String idem, Duration timeout)
            throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(ingresses.get(ingress % ingresses.size()) + path))
                .timeout(timeout);
        if (idem != null) {
            builder.header("idempotency-key", idem);
        }
        if (body != null) {
            builder.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            String id = response.headers().firstValue("x-restate-id").orElse(null);
            if (id == null && response.statusCode() == 202) {
                id = json(response.body()).path("invocationId").asText(null);
            }
            return new Answer(response.statusCode(), response.body(), id, null, false);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(0, null, null, e.toString(), true);
        } catch (IOException e) {
            return new Answer(0, null, null, e.toString(), e.getCause() instanceof ConnectException);
        }
    }

    private static JsonNode json(String body) {
        try {
            return body == null || body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static String quote(String value) {
        return JSON.getNodeFactory().textNode(value).toString();
    }

    /**
     * Sends until an answer that is not retryable (or one {@code accept} takes) or the op's deadline: the answer, and
     * how many requests it took.
     */
    private record Outcome(Answer answer, int attempts, boolean definite) {}

    private Outcome retrying(int process, Random random, String method, String path, String body, String idem,
            boolean blindRetries) throws InterruptedException {
        long deadline = System.nanoTime() + spec.opDeadline().toNanos();
        int attempts = 0;
        Answer answer;
        int ingress = random.nextInt(ingresses.size());
        while (true) {
            attempts++;
            answer = request(ingress++, method, path, body, idem, spec.requestTimeout());
            boolean surelyNotTaken = answer.notSent() || answer.status() == 503 || answer.status() == 429;
            if (!answer.retryable()) {
                return new Outcome(answer, attempts, true);
            }
            if (!blindRetries && !surelyNotTaken) {
                return new Outcome(answer, attempts, false);
            }
            if (System.nanoTime() > deadline) {
                return new Outcome(answer, attempts, false);
            }
            Thread.sleep(100 + random.nextInt(300));
        }
    }

    private void add(int process, Random random, String value) throws InterruptedException {
        String key = key(random);
        String idem = "add-" + value;
        String target = "Set/" + key + "/add";
        Op op = history.invoke(process, "add", target, key, value, idem);
        Outcome outcome = retrying(process, random, "POST", "/" + target, quote(value), idem, true);
        complete(op, outcome, 200);
    }

    private void send(int process, Random random, String value) throws InterruptedException {
        boolean keyed = random.nextBoolean();
        String idem = keyed ? "send-" + value : null;
        Op op = history.invoke(process, "send", "Recorder/record", null, value, idem);
        Outcome outcome = retrying(process, random, "POST", "/Recorder/record/send",
                "{\"value\":" + quote(value) + "}", idem, keyed);
        Op done = complete(op, outcome, 202);
        if (done.type() == Type.OK && done.invocationId() != null) {
            accept(new Accepted(done.invocationId(), "output", "Recorder/record", null, value, idem));
        }
    }

    private void workflow(int process, Random random, String id) throws InterruptedException {
        String target = "Job/" + id + "/run";
        if (random.nextBoolean()) {
            Op op = history.invoke(process, "run", target, id, null, null);
            Outcome outcome = retrying(process, random, "POST", "/" + target, "{}", null, true);
            Op done;
            if (outcome.answer().status() == 409) {
                // An earlier request of this run was taken: its result comes through attach.
                done = history.complete(op, Type.OK, 409, outcome.answer().body(), outcome.answer().invocationId(),
                        outcome.attempts());
                attach(process, random, id, done.invocationId());
            } else {
                complete(op, outcome, 200);
            }
        } else {
            Op op = history.invoke(process, "run-send", target, id, null, null);
            Outcome outcome = retrying(process, random, "POST", "/" + target + "/send", "{}", null, true);
            Op done = complete(op, outcome, 202);
            if (done.type() == Type.OK && done.invocationId() != null) {
                accept(new Accepted(done.invocationId(), "output", target, id, null, null));
                if (random.nextInt(3) == 0) {
                    attach(process, random, id, done.invocationId());
                }
            }
        }
    }

    private void attach(int process, Random random, String workflowId, String invocationId)
            throws InterruptedException {
        String target = "Job/" + workflowId + "/run";
        Op op = history.invoke(process, "attach", target, workflowId, null, null);
        Outcome outcome = retrying(process, random, "GET", "/restate/workflow/Job/" + workflowId + "/attach", null,
                null, true);
        Answer a = outcome.answer();
        complete(op, new Outcome(new Answer(a.status(), a.body(), a.invocationId() != null ? a.invocationId()
                : a.status() == 200 ? invocationId : null, a.error(), a.notSent()), outcome.attempts(),
                outcome.definite()), 200);
    }

    private void read(int process, Random random) throws InterruptedException {
        String key = key(random);
        Op op = history.invoke(process, "read", "Set/" + key + "/get", key, null, null);
        Answer answer = request(random.nextInt(ingresses.size()), "GET", "/Set/" + key + "/get", null, null,
                spec.requestTimeout());
        complete(op, new Outcome(answer, 1, !answer.retryable()), 200);
    }

    /** The final read of {@code key} through Ferry: retried until it succeeds or {@code timeout} passes. */
    public boolean finalRead(String key, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempt = 0;
        Op op = history.invoke(0, "final-read", "Set/" + key + "/get", key, null, null);
        while (true) {
            Answer answer = request(attempt++, "GET", "/Set/" + key + "/get", null, null, spec.requestTimeout());
            if (answer.status() == 200) {
                history.complete(op, Type.OK, 200, answer.body(), answer.invocationId(), attempt);
                return true;
            }
            if (System.nanoTime() > deadline) {
                history.complete(op, Type.FAIL, answer.status(), answer.body() != null ? answer.body()
                        : answer.error(), null, attempt);
                return false;
            }
            Thread.sleep(500);
        }
    }

    private Op complete(Op op, Outcome outcome, int okStatus) {
        Answer a = outcome.answer();
        Type type;
        if (a.status() == okStatus) {
            type = Type.OK;
        } else if (outcome.definite() || (a.notSent() && op.idem() == null)) {
            type = Type.FAIL;
        } else {
            type = Type.INFO;
        }
        return history.complete(op, type, a.status(), a.body() != null ? a.body() : a.error(), a.invocationId(),
                outcome.attempts());
    }

    private void accept(Accepted a) {
        if (accepted.putIfAbsent(a.id(), a) == null) {
            unobserved.add(a);
        }
    }

    // ---- the observer: fetches the output of accepted invocations once they have one -----------------------------

    private void observer() {
        Random random = new Random(spec.seed());
        while (!stop.get()) {
            try {
                Thread.sleep(1000);
                int budget = 20;
                List<Accepted> again = new ArrayList<>();
                Accepted a;
                while (budget-- > 0 && !stop.get() && (a = unobserved.poll()) != null) {
                    if (!output(random, a)) {
                        again.add(a);
                    }
                }
                unobserved.addAll(again);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Fetches every accepted invocation's output once more (the end of the run). */
    public void observeAll() throws InterruptedException {
        Random random = new Random(spec.seed() + 1);
        for (Accepted a : accepted.values()) {
            output(random, a);
        }
    }

    /** Records the output of an accepted invocation when it has one; false while it has none. */
    private boolean output(Random random, Accepted a) throws InterruptedException {
        Answer answer = request(random.nextInt(ingresses.size()), "GET", "/restate/invocation/" + a.id() + "/output",
                null, null, Duration.ofSeconds(5));
        if (answer.status() == 200) {
            Op op = history.invoke(0, "output", a.target(), a.key(), a.value(), a.idem());
            history.complete(op, Type.OK, 200, answer.body(), a.id(), 1);
            return true;
        }
        return false;
    }
}
