package dev.ferry.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.HeaderValues;
import dev.ferry.schemas.dispatch.RequestSignature;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The example service of the README tour, and the service Ferry's own tests call: three services in the shapes
 * Restate users know, written as plain HTTP handlers.
 *
 * <ul>
 *   <li>{@code Greeter} (service): {@code greet}, {@code welcome} (declares JSON Schemas), {@code noop} (echo), {@code slow} (waits {@code ms}),
 *       {@code fail} (terminal 400), {@code flaky} (500 twice per {@code id}, then success), {@code busy} (503 with
 *       {@code Retry-After: 2} once per {@code id}), {@code hang} (hangs the first time per {@code id});
 *   <li>{@code Counter} (virtual object): {@code add} (exclusive, takes 200 ms), {@code get} (shared);
 *   <li>{@code Ledger} (virtual object): {@code append} (exclusive; keeps the input and its headers, once per
 *       invocation; first waits {@code ms} when the input has it), {@code entries} (shared);
 *   <li>{@code Signup} (workflow): {@code run} waits until {@code approve} is called, {@code status}.
 * </ul>
 *
 * <p>Ferry calls {@code POST /invoke/{Service}/{handler}}; the object key or workflow id arrives in
 * {@code x-restate-key}, percent-encoded as UTF-8. {@code GET /discover} describes the services; {@code GET /stats}
 * counts how often each handler body ran, which tests use to prove "ran once".
 *
 * <p>With a signing key ({@code EXAMPLE_SIGNING_KEY}), every {@code /invoke} request must carry Ferry's
 * {@code x-ferry-signature} over exactly what arrived; others get 401 and never reach a handler.
 */
public final class ExampleService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebServer server;
    /** Null: requests are not checked. */
    private final String signingKey;
    private final Map<String, AtomicLong> executions = new ConcurrentHashMap<>();
    private final Map<String, Long> firstStarts = new ConcurrentHashMap<>();
    private final Map<String, Long> counters = new ConcurrentHashMap<>();
    private final Map<String, Integer> flakyAttempts = new ConcurrentHashMap<>();
    private final Map<String, Workflow> workflows = new ConcurrentHashMap<>();
    private final Map<String, ArrayNode> ledgers = new ConcurrentHashMap<>();
    private final Map<String, Integer> ledgerAppends = new ConcurrentHashMap<>();

    private static final class Workflow {
        final CompletableFuture<JsonNode> approval = new CompletableFuture<>();
        volatile JsonNode input;
        volatile String status;
    }

    /** The body of an /invoke request, read once by the signature check. */
    private record ReceivedBody(byte[] bytes) {}

    public ExampleService(String host, int port) {
        this(host, port, null);
    }

    /** @param signingKey the key Ferry signs requests with; null to accept unsigned requests */
    public ExampleService(String host, int port, String signingKey) {
        this.signingKey = signingKey;
        server = WebServer.builder()
                .host(host)
                .port(port)
                // Ferry passes the caller's idempotency key on as a header; Restate accepts keys of 60 000 characters.
                .addProtocol(Http1Config.builder().maxHeadersSize(256 * 1024).build())
                .maxPayloadSize(64L * 1024 * 1024)
                .routing(this::routes)
                .build();
    }

    /** The example's settings: the interface and port it listens on, and the key requests must be signed with. */
    public static final String ENV_HOST = "EXAMPLE_HOST";
    public static final String ENV_PORT = "EXAMPLE_PORT";
    public static final String ENV_SIGNING_KEY = "EXAMPLE_SIGNING_KEY";

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv().getOrDefault(ENV_PORT, args.length > 0 ? args[0] : "9080"));
        String host = System.getenv().getOrDefault(ENV_HOST, "127.0.0.1");
        String signingKey = System.getenv(ENV_SIGNING_KEY);
        ExampleService service = new ExampleService(host, port,
                signingKey == null || signingKey.isBlank() ? null : signingKey).start();
        System.out.println("Example service listening on http://" + host + ":" + service.port()
                + (service.signingKey != null ? " (accepting only requests signed by Ferry)" : "")
                + "  (register it: curl localhost:9070/deployments --json '{\"uri\":\"http://" + host + ":"
                + service.port() + "\"}')");
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    }

    public ExampleService start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    /** How many times the handler body ran for {@code handler:tag} (tag: the key, or the input's tag/name/id). */
    public long executions(String handlerAndTag) {
        AtomicLong count = executions.get(handlerAndTag);
        return count == null ? 0 : count.get();
    }

    /** When the handler body first ran for {@code handler:tag}, in epoch milliseconds; null if it never ran. */
    public Long firstStart(String handlerAndTag) {
        return firstStarts.get(handlerAndTag);
    }

    private void routes(HttpRouting.Builder routing) {
        if (signingKey != null) {
            routing.addFilter((chain, req, res) -> {
                if (!req.path().path().startsWith("/invoke/")) {
                    chain.proceed();
                    return;
                }
                byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
                String problem = RequestSignature.problem(signingKey,
                        req.headers().first(HeaderNames.create(RequestSignature.HEADER)).orElse(null),
                        System.currentTimeMillis() / 1000,
                        req.headers().first(HeaderNames.create("x-restate-id")).orElse(""),
                        req.path().rawPath(),
                        req.headers().first(HeaderNames.create("x-restate-key")).orElse(null),
                        body);
                if (problem != null) {
                    json(res, 401, JSON.createObjectNode().put("message", "not a request from Ferry: " + problem));
                    return;
                }
                req.context().register(new ReceivedBody(body));
                chain.proceed();
            });
        }
        routing.get("/discover", this::discover)
                .get("/stats", this::stats)
                .post("/invoke/Greeter/greet", this::greet)
                .post("/invoke/Greeter/welcome", this::welcome)
                .post("/invoke/Greeter/noop", this::noop)
                .post("/invoke/Greeter/slow", this::slow)
                .post("/invoke/Greeter/fail", this::fail)
                .post("/invoke/Greeter/flaky", this::flaky)
                .post("/invoke/Greeter/busy", this::busy)
                .post("/invoke/Greeter/hang", this::hang)
                .post("/invoke/Counter/add", this::add)
                .post("/invoke/Counter/get", this::get)
                .post("/invoke/Ledger/append", this::append)
                .post("/invoke/Ledger/entries", this::entries)
                .post("/invoke/Signup/run", this::run)
                .post("/invoke/Signup/approve", this::approve)
                .post("/invoke/Signup/status", this::status)
                .error(BadInput.class, (req, res, e) ->
                        json(res, 400, JSON.createObjectNode().put("message", e.getMessage())));
    }

    private void discover(ServerRequest req, ServerResponse res) throws IOException {
        try (InputStream manifest = ExampleService.class.getResourceAsStream("/example-manifest.json")) {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(manifest.readAllBytes());
        }
    }

    private void stats(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode byKey = body.putObject("byKey");
        executions.forEach((key, count) -> byKey.put(key, count.get()));
        ObjectNode firstStartedAt = body.putObject("firstStartedAt");
        firstStarts.forEach(firstStartedAt::put);
        json(res, 200, body);
    }

    private void greet(ServerRequest req, ServerResponse res) {
        JsonNode input = input(req);
        String name = input.path("name").asText("");
        count("greet", input.path("tag").asText(name));
        ObjectNode out = JSON.createObjectNode().put("greeting", "Hello " + name);
        if (input.isObject()) {
            input.properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        }
        json(res, 200, out);
    }

    /** A handler with declared input and output schemas (a Person in, a welcome out). */
    private void welcome(ServerRequest req, ServerResponse res) {
        JsonNode person = input(req);
        String name = person.path("name").asText("");
        count("welcome", name);
        ObjectNode out = JSON.createObjectNode().put("message", "Welcome, " + name + "!");
        if (person.has("age")) {
            out.put("adult", person.get("age").asInt() >= 18);
        }
        json(res, 200, out);
    }

    private void noop(ServerRequest req, ServerResponse res) {
        byte[] body = body(req);
        count("noop", "");
        req.headers().first(HeaderNames.CONTENT_TYPE).filter(ct -> body.length > 0)
                .ifPresent(ct -> res.header(HeaderNames.CONTENT_TYPE, ct));
        res.send(body);
    }

    private void slow(ServerRequest req, ServerResponse res) throws InterruptedException {
        JsonNode input = input(req);
        long ms = input.path("ms").asLong(3_000);
        count("slow", input.path("tag").asText(""));
        Thread.sleep(ms);
        json(res, 200, JSON.createObjectNode().put("slept", ms).put("tag", input.path("tag").asText("")));
    }

    private void fail(ServerRequest req, ServerResponse res) {
        JsonNode input = input(req);
        count("fail", input.path("tag").asText(""));
        json(res, 400, JSON.createObjectNode().put("message", input.path("message").asText("failed on purpose")));
    }

    private void flaky(ServerRequest req, ServerResponse res) {
        JsonNode input = input(req);
        String id = input.path("id").asText("");
        int attempt = flakyAttempts.merge(id, 1, Integer::sum);
        count("flaky", id);
        if (attempt <= 2) {
            json(res, 500, JSON.createObjectNode().put("message", "transient failure #" + attempt + " for id=" + id));
            return;
        }
        json(res, 200, JSON.createObjectNode().put("id", id).put("attempts", attempt)
                .put("at", System.currentTimeMillis()));
    }

    /** Answers 503 with {@code Retry-After: 2} the first time per id, then succeeds. */
    private void busy(ServerRequest req, ServerResponse res) {
        JsonNode input = input(req);
        String id = input.path("id").asText("");
        int attempt = flakyAttempts.merge("busy:" + id, 1, Integer::sum);
        count("busy", id);
        if (attempt == 1) {
            res.header("retry-after", "2");
            json(res, 503, JSON.createObjectNode().put("message", "busy, come back in 2 s"));
            return;
        }
        json(res, 200, JSON.createObjectNode().put("id", id).put("attempts", attempt));
    }

    /** Hangs for {@code ms} (default 60 s) the first time per id, then answers at once. */
    private void hang(ServerRequest req, ServerResponse res) throws InterruptedException {
        JsonNode input = input(req);
        String id = input.path("id").asText("");
        int attempt = flakyAttempts.merge("hang:" + id, 1, Integer::sum);
        count("hang", id);
        if (attempt == 1) {
            Thread.sleep(input.path("ms").asLong(60_000));
        }
        json(res, 200, JSON.createObjectNode().put("id", id).put("attempts", attempt));
    }

    private void add(ServerRequest req, ServerResponse res) throws InterruptedException {
        String key = key(req);
        JsonNode input = input(req);
        count("add", key);
        Thread.sleep(200);
        long value = counters.merge(key, input.asLong(0), Long::sum);
        json(res, 200, JSON.getNodeFactory().numberNode(value));
    }

    private void get(ServerRequest req, ServerResponse res) {
        String key = key(req);
        count("get", key);
        json(res, 200, JSON.getNodeFactory().numberNode(counters.getOrDefault(key, 0L)));
    }

    /**
     * Appends the input, with the request's {@code x-*} and {@code kafka.*} headers, to the key's ledger; answers the
     * entry's position. A repeat of an invocation (same {@code x-restate-id}, after a retry) is not appended twice.
     */
    private void append(ServerRequest req, ServerResponse res) throws InterruptedException {
        String key = key(req);
        String invocationId = req.headers().first(HeaderNames.create("x-restate-id")).orElse("");
        JsonNode input = input(req);
        count("append", key);
        long ms = input.path("ms").asLong(0);
        if (ms > 0) {
            Thread.sleep(ms); // a slower append, for tests that stop parts of Ferry mid-load
        }
        ArrayNode ledger = ledgers.computeIfAbsent(key, k -> JSON.createArrayNode());
        int position;
        synchronized (ledger) {
            Integer known = ledgerAppends.get(invocationId);
            if (known != null) {
                position = known;
            } else {
                ObjectNode entry = ledger.addObject();
                entry.set("value", input);
                ObjectNode headers = entry.putObject("headers");
                req.headers().forEach(h -> {
                    String name = h.name().toLowerCase(Locale.ROOT);
                    if (name.startsWith("x-") && !name.equals("x-restate-id") || name.startsWith("kafka.")) {
                        headers.put(name, h.get());
                    }
                });
                position = ledger.size();
                ledgerAppends.put(invocationId, position);
            }
        }
        json(res, 200, JSON.getNodeFactory().numberNode(position));
    }

    /** The key's ledger: every appended entry, in order. */
    private void entries(ServerRequest req, ServerResponse res) {
        ArrayNode ledger = ledgers.getOrDefault(key(req), JSON.createArrayNode());
        synchronized (ledger) {
            json(res, 200, ledger.deepCopy());
        }
    }

    private void run(ServerRequest req, ServerResponse res) throws InterruptedException {
        String id = key(req);
        count("run", id);
        Workflow workflow = workflows.computeIfAbsent(id, k -> new Workflow());
        workflow.input = input(req);
        workflow.status = "waiting";
        try {
            JsonNode approval = workflow.approval.get();
            workflow.status = "done";
            json(res, 200, JSON.createObjectNode().set("approved", approval));
        } catch (ExecutionException e) {
            json(res, 500, JSON.createObjectNode().put("message", e.getCause().toString()));
        }
    }

    private void approve(ServerRequest req, ServerResponse res) {
        String id = key(req);
        count("approve", id);
        workflows.computeIfAbsent(id, k -> new Workflow()).approval.complete(input(req));
        json(res, 200, JSON.createObjectNode().put("resolved", true));
    }

    private void status(ServerRequest req, ServerResponse res) {
        String id = key(req);
        count("status", id);
        Workflow workflow = workflows.get(id);
        ObjectNode out = JSON.createObjectNode();
        out.set("input", workflow == null || workflow.input == null ? JSON.nullNode() : workflow.input);
        if (workflow == null || workflow.status == null) {
            out.putNull("status");
        } else {
            out.put("status", workflow.status);
        }
        json(res, 200, out);
    }

    private void count(String handler, String tag) {
        firstStarts.putIfAbsent(handler + ":" + tag, System.currentTimeMillis());
        executions.computeIfAbsent(handler + ":" + tag, k -> new AtomicLong()).incrementAndGet();
    }

    /** The object key or workflow id: Ferry sends it percent-encoded as UTF-8, so any text arrives intact. */
    private static String key(ServerRequest req) {
        String sent = req.headers().first(HeaderNames.create("x-restate-key")).orElse("");
        try {
            return HeaderValues.percentDecode(sent);
        } catch (IllegalArgumentException e) {
            throw new BadInput("bad x-restate-key: " + e.getMessage());
        }
    }

    private static byte[] body(ServerRequest req) {
        Optional<ReceivedBody> checked = req.context().get(ReceivedBody.class);
        if (checked.isPresent()) {
            return checked.get().bytes();
        }
        return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    }

    /** The JSON input; a missing or malformed body reads as an empty object (a handler decides what it needs). */
    private static JsonNode input(ServerRequest req) {
        byte[] body = body(req);
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadInput("Failed to deserialize input: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInput("Failed to read input: " + e.getMessage());
        }
    }

    private static void json(ServerResponse res, int status, JsonNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Malformed input is the caller's mistake: a terminal 400, not a retry. */
    private static final class BadInput extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
