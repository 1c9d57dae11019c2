package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Crash safety with Ferry's roles in separate processes on one broker, killed with SIGKILL mid-work: a dead
 * dispatcher's attempt runs again; a dead processor loses nothing and completes nothing twice.
 */
class CrashIT {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void aProcessorKilledDuringASubscriptionRunLosesAndDuplicatesNoRecord() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,dispatcher").start()) {
            ExampleService example = ferry.registerExample();
            FerryProcess first = FerryProcess.start("processor-a", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP);
            String topic = "crash-sub-" + UUID.randomUUID().toString().substring(0, 8);
            int count = 600;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
                    KafkaProducer<String, String> producer = new KafkaProducer<>(
                            // One request in flight on a partition created a moment ago (KAFKA-15591).
                            Map.of("bootstrap.servers", TestKafka.bootstrapServers(),
                                    "max.in.flight.requests.per.connection", "1"),
                            new StringSerializer(), new StringSerializer())) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(3), Optional.empty()))).all().get();
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, "sub-" + (i % 3), "{\"n\":" + i + "}"));
                }
            }
            Http.Response created = ferry.admin().postJson("/subscriptions",
                    "{\"source\":\"kafka://default/" + topic + "\",\"sink\":\"service://Ledger/append\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(60)).until(() -> appends(example) >= count / 3);
            first.kill();

            try (FerryProcess second = FerryProcess.start("processor-b", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> entries(ferry, 0).size()
                        + entries(ferry, 1).size() + entries(ferry, 2).size() == count);
                for (int key = 0; key < 3; key++) {
                    List<Integer> values = new ArrayList<>();
                    entries(ferry, key).forEach(entry -> values.add(entry.get("value").get("n").asInt()));
                    assertThat(values).as("sub-%d: every record once, in topic order", key)
                            .hasSize(count / 3).isSorted().doesNotHaveDuplicates();
                }
            }
        }
    }

    private static long appends(ExampleService example) {
        return example.executions("append:sub-0") + example.executions("append:sub-1")
                + example.executions("append:sub-2");
    }

    private static JsonNode entries(FerryHarness ferry, int key) throws IOException {
        return Json.MAPPER.readTree(ferry.ingress().postJson("/Ledger/sub-" + key + "/entries", "").body());
    }

    private static long addsRun(ExampleService example) {
        long total = 0;
        for (int key = 0; key < 4; key++) {
            total += example.executions("add:crash-" + key);
        }
        return total;
    }

    @Test
    void anAttemptWhoseDispatcherIsKilledMidCallRunsAgainOnAnotherDispatcher() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,processor").start()) {
            ExampleService example = ferry.registerExample();
            FerryProcess first = FerryProcess.start("dispatcher-1", ferry.roleEnv("dispatcher"))
                    .awaitLog(FerryProcess.STARTED, STARTUP);

            CompletableFuture<Http.Response> call =
                    ferry.ingress().postJsonAsync("/Greeter/slow", "{\"ms\":3000,\"tag\":\"crash-d\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> example.executions("slow:crash-d") == 1);
            first.kill();

            try (FerryProcess second = FerryProcess.start("dispatcher-2", ferry.roleEnv("dispatcher"))
                    .awaitLog(FerryProcess.STARTED, STARTUP)) {
                Http.Response response = call.get();
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("{\"slept\":3000,\"tag\":\"crash-d\"}");
                assertThat(example.executions("slow:crash-d")).as("run again after the lease lapsed").isEqualTo(2);
            }
        }
    }

    @Test
    void aProcessorKilledMidLoadLosesNothingAndCompletesNothingTwice() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,dispatcher").start()) {
            ExampleService example = ferry.registerExample();
            FerryProcess first = FerryProcess.start("processor-1", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP);

            // Counter adds: each result is the running total of its key, so a result applied twice, or lost and
            // redone, would show as a changed answer.
            int count = 40;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Http.Response sent = ferry.ingress().postJson("/Counter/crash-" + (i % 4) + "/add/send", "1",
                        "idempotency-key", "crash-" + i);
                assertThat(sent.status()).isEqualTo(202);
                ids.add(sent.header("x-restate-id"));
            }
            // Each key's adds run one at a time, 200 ms each: kill the processor about halfway through.
            await().atMost(Duration.ofSeconds(30)).until(() -> addsRun(example) >= count / 2);
            first.kill();

            try (FerryProcess second = FerryProcess.start("processor-2", ferry.roleEnv("processor"))
                    .awaitLog("Processor state REBALANCING -> RUNNING", STARTUP)) {
                Map<String, String> results = new LinkedHashMap<>();
                for (String id : ids) {
                    Http.Response attached = ferry.ingress().get("/restate/invocation/" + id + "/attach");
                    assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
                    results.put(id, attached.body());
                }
                assertThat(results).hasSize(count);

                for (int i = 0; i < count; i++) {
                    Http.Response replay = ferry.ingress().postJson("/Counter/crash-" + (i % 4) + "/add", "1",
                            "idempotency-key", "crash-" + i);
                    assertThat(replay.header("x-restate-id")).isEqualTo(ids.get(i));
                    assertThat(replay.body()).as("the replay of crash-%d", i).isEqualTo(results.get(ids.get(i)));
                }
                for (int key = 0; key < 4; key++) {
                    List<Long> totals = new ArrayList<>();
                    for (int i = key; i < count; i += 4) {
                        totals.add(Long.parseLong(results.get(ids.get(i))));
                    }
                    assertThat(totals).as("each add of crash-%d saw its own running total", key)
                            .doesNotHaveDuplicates();
                }
            }
        }
    }
}
