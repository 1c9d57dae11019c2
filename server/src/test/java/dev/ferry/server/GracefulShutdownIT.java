package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.example.ExampleService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a whole Ferry (all roles, embedded broker) with calls open: new requests are turned away, the open
 * calls finish and their callers get the answers, Kafka Streams closes cleanly, and a restart on the same data
 * carries on with what was accepted before, losing nothing.
 */
class GracefulShutdownIT {
    private static final Duration STARTUP = Duration.ofSeconds(90);

    @Test
    void sigtermDrainsOpenCallsAndARestartResumesWithoutLoss() throws Exception {
        Path data = Files.createTempDirectory("ferry-graceful");
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_DATA_DIR", data.toString());
        env.put("FERRY_INGRESS_HOST", "127.0.0.1");
        env.put("FERRY_ADMIN_HOST", "127.0.0.1");
        env.put("FERRY_INGRESS_PORT", "0");
        env.put("FERRY_ADMIN_PORT", "0");
        env.put("FERRY_EMBEDDED_KAFKA_PORT", "0");
        env.put("FERRY_PARTITIONS", "4");
        env.put("FERRY_SHUTDOWN_GRACE", "15s");

        try (ExampleService example = new ExampleService("127.0.0.1", 0).start()) {
            String call;
            String delayedId;
            String sentId;
            try (FerryProcess first = FerryProcess.start("graceful-1", env).awaitLog(FerryProcess.STARTED, STARTUP)) {
                Http api = new Http("http://127.0.0.1:" + first.ingressPort());
                Http admin = new Http("http://127.0.0.1:" + first.adminPort());
                assertThat(admin.postJson("/deployments", "{\"uri\":\"http://127.0.0.1:" + example.port() + "\"}")
                        .status()).isEqualTo(201);
                await().atMost(STARTUP).until(() -> admin.get("/health/ready").status() == 200);

                // Open when SIGTERM arrives: a call waiting for its answer and a send running in the background.
                CompletableFuture<Http.Response> open =
                        api.postJsonAsync("/Greeter/slow", "{\"ms\":3000,\"tag\":\"graceful-call\"}");
                Http.Response sent = api.postJson("/Greeter/slow/send", "{\"ms\":3000,\"tag\":\"graceful-send\"}");
                sentId = sent.header("x-restate-id");
                // Accepted, due only after the restart.
                Http.Response delayed = api.postJson("/Greeter/greet/send?delay=8s", "{\"name\":\"after-restart\"}");
                assertThat(delayed.status()).isEqualTo(202);
                delayedId = delayed.header("x-restate-id");
                await().atMost(Duration.ofSeconds(20)).until(() -> example.executions("slow:graceful-call") == 1
                        && example.executions("slow:graceful-send") == 1);

                CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                    try {
                        return first.terminate(Duration.ofSeconds(60));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> first.log().contains("Stopping Ferry"));
                Http.Response turnedAway = api.postJson("/Greeter/greet", "{\"name\":\"too-late\"}");
                assertThat(turnedAway.status()).as(turnedAway.toString()).isEqualTo(503);
                assertThat(turnedAway.body()).contains("Ferry is shutting down");

                Http.Response answered = open.get();
                assertThat(answered.status()).as("the open call was answered: " + answered).isEqualTo(200);
                call = answered.header("x-restate-id");
                assertThat(answered.body()).isEqualTo("{\"slept\":3000,\"tag\":\"graceful-call\"}");
                assertThat(exit.get()).as("exit code after SIGTERM").isIn(0, 143);
                assertThat(first.log())
                        .contains("Open service calls finished")
                        .contains("Processor state PENDING_SHUTDOWN -> NOT_RUNNING")
                        .contains("Ferry stopped");
            }

            try (FerryProcess second = FerryProcess.start("graceful-2", env).awaitLog(FerryProcess.STARTED, STARTUP)) {
                Http api = new Http("http://127.0.0.1:" + second.ingressPort());
                await().atMost(STARTUP).until(() ->
                        new Http("http://127.0.0.1:" + second.adminPort()).get("/health/ready").status() == 200);

                assertThat(api.get("/restate/invocation/" + call + "/output").body())
                        .isEqualTo("{\"slept\":3000,\"tag\":\"graceful-call\"}");
                Http.Response background = api.get("/restate/invocation/" + sentId + "/output");
                assertThat(background.status()).as(background.toString()).isEqualTo(200);
                assertThat(background.body()).isEqualTo("{\"slept\":3000,\"tag\":\"graceful-send\"}");
                Http.Response later = api.get("/restate/invocation/" + delayedId + "/attach");
                assertThat(later.status()).as(later.toString()).isEqualTo(200);
                assertThat(later.body()).contains("Hello after-restart");

                assertThat(example.executions("slow:graceful-call")).as("drained, not run again").isEqualTo(1);
                assertThat(example.executions("slow:graceful-send")).as("drained, not run again").isEqualTo(1);
                assertThat(example.executions("greet:after-restart")).isEqualTo(1);
                assertThat(api.postJson("/Greeter/greet", "{\"name\":\"again\"}").status()).isEqualTo(200);
            }
        }
    }
}
