package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.dispatch.RequestSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node.js and Python example services ({@code example/node}, {@code example/python}), each a real process,
 * registered with a Ferry that signs its requests ({@code FERRY_SIGNING_KEY}) and called through the ingress: the
 * handlers of the Java example answer the same, and each example's verifier refuses requests Ferry did not sign.
 * One Ferry serves both tests; each registers its example last, so the services route to it (the newest
 * registration of a service wins).
 */
class ExampleServicesIT {
    private static final String SIGNING_KEY = "examples-signing-key-0123456789";
    private static final Path EXAMPLES = Path.of("../example").toAbsolutePath().normalize();
    private static FerryHarness ferry;

    @BeforeAll
    static void startFerry() throws Exception {
        ferry = FerryHarness.onSharedKafka().with("FERRY_SIGNING_KEY", SIGNING_KEY).start();
    }

    @AfterAll
    static void stopFerry() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void theNodeExampleServesTheTourAndRefusesUnsignedRequests() {
        String node = SdkService.kit().resolve("bin/node").toString(); // Node 22, as for the SDK tests
        try (ExampleProcess example = ExampleProcess.start("node",
                node, EXAMPLES.resolve("node/example-service.mjs").toString())) {
            servesTheTour(example, "node");
            refusesWhatFerryDidNotSign(example);
        }
    }

    @Test
    void thePythonExampleServesTheTourAndRefusesUnsignedRequests() {
        Path python = onPath("python3");
        assumeTrue(python != null, "python3 is not on PATH: the Python example (example/python) is not tested");
        try (ExampleProcess example = ExampleProcess.start("python",
                python.toString(), EXAMPLES.resolve("python/example_service.py").toString())) {
            servesTheTour(example, "python");
            refusesWhatFerryDidNotSign(example);
        }
    }

    /** Registers the example and calls each kind of handler through the ingress, as the README's tour does. */
    private static void servesTheTour(ExampleProcess example, String tag) {
        Http.Response registered = ferry.admin().postJson("/deployments", "{\"uri\":\"" + example.uri() + "\"}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(registered.body()).contains("\"Greeter\"", "\"Counter\"", "\"Ledger\"", "\"Signup\"");
        Http ingress = ferry.ingress();

        // Retried twice after a 500, and once after a 503 with Retry-After: started first, they run meanwhile.
        CompletableFuture<Http.Response> flaky = ingress.postJsonAsync("/Greeter/flaky", "{\"id\":\"" + tag + "\"}");
        CompletableFuture<Http.Response> busy = ingress.postJsonAsync("/Greeter/busy", "{\"id\":\"" + tag + "\"}");

        String name = "Mary " + tag;
        assertJson(ingress.postJson("/Greeter/greet", "{\"name\":\"" + name + "\"}"), 200,
                "{\"greeting\":\"Hello " + name + "\",\"name\":\"" + name + "\"}");
        assertJson(ingress.postJson("/Greeter/welcome", "{\"name\":\"Ann\",\"age\":30}"), 200,
                "{\"message\":\"Welcome, Ann!\",\"adult\":true}");
        assertJson(ingress.postJson("/Greeter/noop", "{\"echo\":[1,\"€\"]}"), 200, "{\"echo\":[1,\"€\"]}");
        assertJson(ingress.postJson("/Greeter/slow", "{\"ms\":50,\"tag\":\"" + tag + "\"}"), 200,
                "{\"slept\":50,\"tag\":\"" + tag + "\"}");
        Http.Response failed = ingress.postJson("/Greeter/fail", "{\"message\":\"nope\"}");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(400);
        assertThat(json(failed).get("message").asText()).isEqualTo("nope");

        // A key that a header cannot carry as it is: it reaches the service percent-encoded, and is signed so.
        String counter = "/Counter/" + pathSegment("a/b € " + tag);
        assertJson(ingress.postJson(counter + "/add", "5"), 200, "5");
        assertJson(ingress.postJson(counter + "/add", "2"), 200, "7");
        assertJson(ingress.get(counter + "/get"), 200, "7");

        String ledger = "/Ledger/" + pathSegment("ledger " + tag);
        assertJson(ingress.postJson(ledger + "/append", "{\"item\":\"tea\"}", "x-note", "first"), 200, "1");
        JsonNode entries = json(ingress.postJson(ledger + "/entries", "{}"));
        assertThat(entries.size()).isEqualTo(1);
        assertThat(entries.get(0).get("value")).isEqualTo(parse("{\"item\":\"tea\"}"));
        assertThat(entries.get(0).get("headers").get("x-note").asText()).isEqualTo("first");

        String signup = "/Signup/" + pathSegment("ann " + tag);
        CompletableFuture<Http.Response> run = ingress.postJsonAsync(signup + "/run", "{\"email\":\"ann@example.com\"}");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                json(ingress.postJson(signup + "/status", "{}")).path("status").asText().equals("waiting"));
        assertJson(ingress.postJson(signup + "/approve", "\"yes\""), 200, "{\"resolved\":true}");
        assertJson(run.join(), 200, "{\"approved\":\"yes\"}");

        Http.Response flakyDone = flaky.join();
        assertThat(flakyDone.status()).as(flakyDone.toString()).isEqualTo(200);
        assertThat(json(flakyDone).get("attempts").asInt()).isEqualTo(3);
        Http.Response busyDone = busy.join();
        assertThat(busyDone.status()).as(busyDone.toString()).isEqualTo(200);
        assertThat(json(busyDone).get("attempts").asInt()).isEqualTo(2);

        // This example's own count: Ferry called this process, and each handler ran as often as the outcome says.
        JsonNode ran = json(example.http().get("/stats")).get("byKey");
        assertThat(ran.path("greet:" + name).asInt()).isEqualTo(1);
        assertThat(ran.path("flaky:" + tag).asInt()).isEqualTo(3);
        assertThat(ran.path("add:a/b € " + tag).asInt()).isEqualTo(2);
    }

    /**
     * Straight to the service, around Ferry: unsigned, wrongly signed and stale requests are refused before any
     * handler runs, and one signed as Ferry signs is served. Then Ferry itself signs with a key the service does
     * not know: its call is refused too, a 401 that fails the invocation with the service's reason.
     */
    private static void refusesWhatFerryDidNotSign(ExampleProcess example) {
        Http direct = example.http();
        String path = "/invoke/Greeter/greet";
        String id = "inv_1aiqX0vFEFNH1Umgre58JiCLgHfTtztYK5";
        String body = "{\"name\":\"Mallory\"}";
        long now = System.currentTimeMillis() / 1000;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

        refused(direct.postJson(path, body, "x-restate-id", id), "carries no x-ferry-signature header");
        refused(direct.postJson(path, body, "x-restate-id", id, RequestSignature.HEADER,
                RequestSignature.sign("not-the-key-0123456789", now, id, path, null, bytes)), "does not match");
        refused(direct.postJson(path, body, "x-restate-id", id, RequestSignature.HEADER,
                RequestSignature.sign(SIGNING_KEY, now, id, path, null, "{}".getBytes(StandardCharsets.UTF_8))),
                "does not match");
        refused(direct.postJson(path, body, "x-restate-id", id, RequestSignature.HEADER,
                RequestSignature.sign(SIGNING_KEY, now - 600, id, path, null, bytes)), "5 minutes");
        refused(direct.postJson(path, body, "x-restate-id", id, RequestSignature.HEADER, "v1=00"), "t=<seconds>");
        assertThat(json(direct.get("/stats")).get("byKey").has("greet:Mallory"))
                .as("no refused request reached the handler").isFalse();

        String signedObjectKey = "a%2Fb%20%E2%82%AC";
        Http.Response signed = direct.postJson("/invoke/Counter/get", "{}", "x-restate-id", id,
                "x-restate-key", signedObjectKey, RequestSignature.HEADER, RequestSignature.sign(SIGNING_KEY, now, id,
                        "/invoke/Counter/get", signedObjectKey, "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(signed.status()).as(signed.toString()).isEqualTo(200);

        Http.Response rekeyed = ferry.admin().postJson("/deployments",
                "{\"uri\":\"" + example.uri() + "\",\"signing_key\":\"a-key-the-service-does-not-know\"}");
        assertThat(rekeyed.status()).as(rekeyed.toString()).isEqualTo(200);
        Http.Response viaFerry = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Wrong key\"}");
        assertThat(viaFerry.status()).as(viaFerry.toString()).isEqualTo(401);
        assertThat(viaFerry.body()).contains("the signature does not match the request");
    }

    private static void refused(Http.Response response, String reason) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(json(response).get("message").asText()).startsWith("not a request from Ferry: ").contains(reason);
    }

    private static void assertJson(Http.Response response, int status, String expected) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(json(response)).as(response.toString()).isEqualTo(parse(expected));
    }

    private static JsonNode json(Http.Response response) {
        return parse(response.body());
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pathSegment(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The executable {@code name} in a directory of PATH, or null. */
    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * An example service run as a process of its own, on a free port ({@code EXAMPLE_PORT=0}), checking signatures
     * with the key Ferry signs with; it says where it listens on its first line.
     */
    private record ExampleProcess(ListeningProcess process) implements AutoCloseable {
        private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

        static ExampleProcess start(String name, String... command) {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("EXAMPLE_PORT", "0");
            builder.environment().put("EXAMPLE_SIGNING_KEY", SIGNING_KEY);
            return new ExampleProcess(ListeningProcess.start(builder, LISTENING, "the " + name + " example"));
        }

        String uri() {
            return process.address();
        }

        Http http() {
            return new Http(uri());
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
