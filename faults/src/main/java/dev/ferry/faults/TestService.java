package dev.ferry.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The service Ferry calls in a fault run, in the harness JVM so its executions and the clients' operations share one
 * clock. Every execution (every HTTP request from a dispatcher) is recorded in the {@link History}.
 *
 * <ul>
 *   <li>{@code Set} (virtual object): {@code add} (exclusive) adds its input, a JSON string, to the key's set and
 *       answers {@code {"key","value","id","exec"}}; {@code get} (shared) answers the key's set as a sorted array.
 *   <li>{@code Recorder} (service): {@code record} answers {@code {"value","id","exec"}}, for sends.
 *   <li>{@code Job} (workflow): {@code run} answers {@code {"key","id","exec"}}.
 * </ul>
 * {@code exec} is the execution's own number, so two executions of one invocation answer differently: a client that
 * gets both answers for one idempotency key shows a re-execution.
 *
 * <p>Handlers take a few to a few tens of milliseconds, so overlapping executions are visible. With a failure rate,
 * that share of executions answers 500 before doing anything, which Ferry retries.
 */
public final class TestService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST = """
            {"protocolMode":"REQUEST_RESPONSE","minProtocolVersion":1,"maxProtocolVersion":1,"services":[
             {"name":"Set","ty":"VIRTUAL_OBJECT","handlers":[
               {"name":"add","ty":"EXCLUSIVE","input":{"contentType":"application/json"},"output":{"contentType":"application/json"}},
               {"name":"get","ty":"SHARED","input":{"contentType":"application/json"},"output":{"contentType":"application/json"}}]},
             {"name":"Recorder","ty":"SERVICE","handlers":[
               {"name":"record","input":{"contentType":"application/json"},"output":{"contentType":"application/json"}}]},
             {"name":"Job","ty":"WORKFLOW","handlers":[
               {"name":"run","ty":"WORKFLOW","input":{"contentType":"application/json"},"output":{"contentType":"application/json"}}]}
            ]}""";

    private final History history;
    private final HttpServer server;
    private final int minMillis;
    private final int maxMillis;
    private final double failureRate;
    private final Map<String, Set<String>> sets = new ConcurrentHashMap<>();

    public TestService(History history, int minMillis, int maxMillis, double failureRate) throws IOException {
        this.history = history;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
        this.failureRate = failureRate;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/discover", this::discover);
        server.createContext("/invoke/", this::invoke);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The set of {@code key} as the service holds it (the final read's cross-check). */
    public Set<String> set(String key) {
        Set<String> set = sets.get(key);
        if (set == null) {
            return Set.of();
        }
        synchronized (set) {
            return new TreeSet<>(set);
        }
    }

    public Map<String, Set<String>> sets() {
        Map<String, Set<String>> all = new TreeMap<>();
        sets.keySet().forEach(key -> all.put(key, set(key)));
        return all;
    }

    private void discover(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        send(exchange, 200, MANIFEST);
    }

    private void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            long start = history.now();
            long seq = history.nextExecSeq();
            String[] path = exchange.getRequestURI().getPath().split("/"); // "", invoke, Service, handler
            String service = path.length > 2 ? path[2] : "";
            String handler = path.length > 3 ? path[3] : "";
            String id = exchange.getRequestHeaders().getFirst("x-restate-id");
            String rawKey = exchange.getRequestHeaders().getFirst("x-restate-key");
            String key = rawKey == null ? null : URLDecoder.decode(rawKey.replace("+", "%2B"), StandardCharsets.UTF_8);
            String attemptHeader = exchange.getRequestHeaders().getFirst("x-ferry-attempt");
            int attempt = attemptHeader == null ? 0 : Integer.parseInt(attemptHeader.trim());
            byte[] body = exchange.getRequestBody().readAllBytes();
            JsonNode input = body.length == 0 ? JSON.missingNode() : JSON.readTree(body);
            String value = input.isTextual() ? input.asText() : input.path("value").asText(null);
            boolean exclusive = service.equals("Set") && handler.equals("add");

            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (!handler.equals("get") && random.nextDouble() < failureRate) {
                pause(random.nextInt(minMillis, maxMillis + 1));
                String answer = "{\"message\":\"failing on purpose\"}";
                history.add(new History.Exec(seq, service, handler, key, id, value, attempt, exclusive, start,
                        history.now(), false, answer));
                send(exchange, 500, answer);
                return;
            }
            pause(random.nextInt(minMillis, maxMillis + 1));
            ObjectNode out = JSON.createObjectNode();
            String answer;
            int status = 200;
            switch (service + "/" + handler) {
                case "Set/add" -> {
                    Set<String> set = sets.computeIfAbsent(key, k -> new TreeSet<>());
                    synchronized (set) {
                        set.add(value);
                    }
                    answer = out.put("key", key).put("value", value).put("id", id).put("exec", seq).toString();
                }
                case "Set/get" -> answer = JSON.valueToTree(set(key)).toString();
                case "Recorder/record" -> answer = out.put("value", value).put("id", id).put("exec", seq).toString();
                case "Job/run" -> answer = out.put("key", key).put("id", id).put("exec", seq).toString();
                default -> {
                    status = 404;
                    answer = "{\"message\":\"no handler " + service + "/" + handler + "\"}";
                }
            }
            pause(random.nextInt(0, 3));
            history.add(new History.Exec(seq, service, handler, key, id, value, attempt, exclusive, start,
                    history.now(), status == 200, answer));
            send(exchange, status, answer);
        } catch (IOException | RuntimeException e) {
            // The dispatcher went away mid-call (killed): the execution is recorded already.
        }
    }

    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
