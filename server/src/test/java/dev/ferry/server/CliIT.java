package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.FerryCli;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operators' command line ({@code ferry invocations|services|deployments|subscriptions}) against a real Ferry
 * whose admin API needs a token: what it prints, and its exit codes (0 done, 1 the request failed, 2 usage).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
    private static final String TOKEN = "cli-t0ken-for-tests";

    private FerryHarness ferry;
    private ExampleService example;
    private Map<String, String> env;

    /** What one command printed, and its exit code. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().with("FERRY_ADMIN_TOKEN", TOKEN).start();
        example = new ExampleService("127.0.0.1", 0).start();
        env = Map.of("FERRY_ADMIN_URL", "http://127.0.0.1:" + ferry.server().adminPort(), "FERRY_ADMIN_TOKEN", TOKEN);
        Run added = cli("deployments", "add", "http://127.0.0.1:" + example.port());
        assertThat(added.code()).as(added.toString()).isZero();
        assertThat(added.out()).startsWith("registered  dp_").contains("Greeter", "greet, ").contains("Counter");
    }

    @AfterAll
    void stop() {
        example.close();
        ferry.close();
    }

    private Run cli(String... args) {
        return cli(env, args);
    }

    private static Run cli(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FerryCli.run(args, environment, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void listsTheRegisteredDeploymentsAndServices() {
        Run deployments = cli("deployments");
        assertThat(deployments.code()).isZero();
        assertThat(deployments.out()).startsWith("ID").contains("http://127.0.0.1:" + example.port(), "RequestResponse");

        Run services = cli("services", "ls");
        assertThat(services.code()).isZero();
        assertThat(services.out().lines()).first().asString().matches("NAME +TYPE +HANDLERS +DEPLOYMENT +REVISION");
        assertThat(services.out()).containsPattern("(?m)^Greeter +Service +[a-z, ]*greet");

        Run greeter = cli("services", "show", "Greeter");
        assertThat(greeter.code()).isZero();
        assertThat(greeter.out()).containsPattern("(?m)^name +Greeter$").containsPattern("(?m)^greet +- +");

        Run unknown = cli("services", "show", "Nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("ferry: GET /services/Nope answered 404: The requested service 'Nope'"
                + " does not exist\n");
    }

    @Test
    void listsAndShowsAnInvocationAsATableAndAsTheAdminApisJson() {
        String key = "cli-" + UUID.randomUUID();
        Http.Response called = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Cli\"}", "idempotency-key", key);
        assertThat(called.status()).isEqualTo(200);
        String id = called.header("x-restate-id");

        Run listed = cli("invocations", "ls", "--service", "Greeter", "--handler", "greet");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).containsPattern("(?m)^" + id + " +Greeter/greet +- +completed \\(success\\) +1 +");

        Run shown = cli("invocations", "show", id);
        assertThat(shown.code()).isZero();
        assertThat(shown.out()).containsPattern("(?m)^status +completed$")
                .containsPattern("(?m)^idempotency_key +" + key + "$")
                .doesNotContain("created_at_millis");

        Run json = cli("invocations", "show", id, "--json");
        assertThat(json.code()).isZero();
        assertThat(json.json().get("id").asText()).isEqualTo(id);
        assertThat(json.json().get("completion_result").asText()).isEqualTo("success");
        Run page = cli("invocations", "--json", "ls", "--service", "Greeter", "--limit", "1");
        assertThat(page.json().get("invocations")).hasSize(1);
    }

    @Test
    void cancelsKillsPurgesAndResumesThroughTheCommandLine() {
        String cancelled = sendDelayed();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(cli("invocations", "ls", "--status", "scheduled", "--service", "Greeter").out())
                        .containsPattern("(?m)^" + cancelled + " +Greeter/greet +- +scheduled +0 +"));

        Run cancel = cli("invocations", "cancel", cancelled);
        assertThat(cancel.code()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).isEqualTo("cancellation requested: " + cancelled + "\n");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                cli("invocations", "show", cancelled, "--json").json().path("status").asText().equals("completed"));
        assertThat(cli("invocations", "show", cancelled).out())
                .containsPattern("(?m)^completion_failure +409 Cancelled$");

        String killed = sendDelayed();
        Run kill = cli("invocations", "kill", killed);
        assertThat(kill.code()).isZero();
        assertThat(kill.out()).isEqualTo("killed: " + killed + "\n");
        Run resume = cli("invocations", "resume", killed);
        assertThat(resume.code()).as("only a paused or backing-off invocation resumes").isEqualTo(1);
        assertThat(resume.err()).isEqualTo("ferry: PATCH /invocations/" + killed + "/resume answered 409: The"
                + " invocation '" + killed + "' was already completed.\n");

        String unknown = InvocationId.random(7).toString();
        Run purge = cli("invocations", "purge", cancelled, unknown, killed);
        assertThat(purge.code()).as("one of three failed").isEqualTo(1);
        assertThat(purge.out()).isEqualTo("purged: " + cancelled + "\npurged: " + killed + "\n");
        assertThat(purge.err()).isEqualTo("ferry: PATCH /invocations/" + unknown + "/purge answered 404: The"
                + " invocation '" + unknown + "' was not found.\n");

        Run gone = cli("invocations", "show", cancelled);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.out()).isEmpty();
        assertThat(gone.err()).contains("answered 404: The invocation '" + cancelled + "' was not found.");

        Run badStatus = cli("invocations", "ls", "--status", "sleeping");
        assertThat(badStatus.code()).as("the admin API refuses it; the command line names what it said").isEqualTo(1);
        assertThat(badStatus.err()).contains("answered 400: unknown status 'sleeping'", "backing-off");
        assertThat(cli("invocations", "cancel").code()).as("no id: a usage error").isEqualTo(2);
    }

    @Test
    void addsListsAndRemovesASubscription() throws Exception {
        String topic = "cli-orders-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
                    .all().get(10, TimeUnit.SECONDS);
        }
        Run added = cli("subscriptions", "add", "kafka://default/" + topic, "service://Greeter/greet",
                "-o", "auto.offset.reset=earliest");
        assertThat(added.code()).as(added.toString()).isZero();
        assertThat(added.out()).startsWith("subscribed  sub_").contains("options     auto.offset.reset=earliest");
        String id = added.out().lines().findFirst().orElseThrow().split(" +")[1];

        assertThat(cli("subscriptions").out()).containsPattern("(?m)^" + id + " +kafka://default/" + topic
                + " +service://Greeter/greet +auto.offset.reset=earliest$");
        Run removed = cli("subscriptions", "rm", id);
        assertThat(removed.code()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("removed: " + id + "\n");
        assertThat(cli("subscriptions", "ls").out()).doesNotContain(id);
        assertThat(cli("subscriptions", "rm", id).err()).contains("answered 404");
    }

    @Test
    void aWrongOrMissingTokenIsAFailedRequestThatSaysSo() {
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("FERRY_ADMIN_TOKEN", "not-the-token");
        Run refused = cli(wrong, "invocations", "ls");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).isEqualTo("ferry: the admin API at " + env.get("FERRY_ADMIN_URL")
                + " refused the token (401): check FERRY_ADMIN_TOKEN or --token\n");

        Run missing = cli(Map.of("FERRY_ADMIN_URL", env.get("FERRY_ADMIN_URL")), "services");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("needs a token (401)");

        Run flag = cli(wrong, "services", "--token", TOKEN);
        assertThat(flag.code()).as("the flag overrides the variable").isZero();
    }

    /**
     * {@code ferry invocations ls} as the {@code ferry} script runs it: the server's main class in a JVM of its own,
     * which answers without starting a server and without loading Kafka, Helidon or the server's logging.
     */
    @Test
    void theServersMainRunsTheCommandLineWithoutLoadingKafka() throws Exception {
        Path classes = Files.createTempFile("ferry-cli-classes", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:file=" + classes + ":uptime",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "invocations", "ls", "--service", "Greeter")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).startsWith("ID  ").contains("TARGET", "STATUS");
        String loaded = Files.readString(classes);
        assertThat(loaded).contains("dev.ferry.cli.FerryCli")
                .doesNotContain("org.apache.kafka.").doesNotContain("io.helidon.").doesNotContain("ch.qos.logback.");
        Files.delete(classes);
    }

    /** A send delayed by an hour: it stays scheduled until the test acts on it. */
    private String sendDelayed() {
        Http.Response sent = ferry.ingress().postJson("/Greeter/greet/send?delay=1h", "{\"name\":\"Later\"}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        return sent.header("x-restate-id");
    }
}
