package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The compose topology as local processes: one broker, two processors, two dispatchers and one ingress, each a
 * Ferry of its own. They share the work (each processor and each dispatcher owns partitions), a load completes with
 * nothing lost, and it still completes when one processor and one dispatcher stop in the middle of it.
 */
class ScaleOutIT {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final int PARTITIONS = 6;
    private static final int KEYS = 6;
    private static final int APPENDS = 360;
    private static final int CALLS = 120;

    @Test
    void twoProcessorsAndTwoDispatchersShareTheLoadAndSurviveLosingOneOfEach() throws Exception {
        String prefix = "scale" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        List<FerryProcess> processes = new ArrayList<>();
        try (ExampleService example = new ExampleService("127.0.0.1", 0).start();
                Admin kafka = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            FerryProcess ingress = start(processes, "ingress", prefix);
            ingress.awaitLog(FerryProcess.STARTED, STARTUP);
            FerryProcess processor1 = start(processes, "processor", prefix);
            FerryProcess processor2 = start(processes, "processor", prefix);
            FerryProcess dispatcher1 = start(processes, "dispatcher", prefix);
            FerryProcess dispatcher2 = start(processes, "dispatcher", prefix);
            for (FerryProcess process : List.of(processor1, processor2, dispatcher1, dispatcher2)) {
                process.awaitLog(FerryProcess.STARTED, STARTUP);
            }
            Http admin = new Http("http://127.0.0.1:" + ingress.adminPort());
            Http api = new Http("http://127.0.0.1:" + ingress.ingressPort());
            assertThat(admin.postJson("/deployments", "{\"uri\":\"http://127.0.0.1:" + example.port() + "\"}")
                    .status()).isEqualTo(201);

            // Every member of each group owns some partitions, and together they own them all.
            await().atMost(STARTUP).untilAsserted(() -> {
                assertSplit(kafka, topics.processorApplicationId(), topics.log(), 2);
                assertSplit(kafka, topics.dispatcherGroup(), topics.dispatch(), 2);
            });
            for (FerryProcess process : List.of(processor1, processor2, dispatcher1, dispatcher2)) {
                await().atMost(STARTUP).until(() ->
                        new Http("http://127.0.0.1:" + process.adminPort()).get("/health/ready").status() == 200);
            }

            // The load: appends to six ledgers (sent, so they queue per key) and calls waiting for answers. A send to
            // an exclusive handler is answered once the processor has queued it: the keys are sent in parallel (each
            // in order), so the sends are all in before most appends have run.
            List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int key = 0; key < KEYS; key++) {
                int first = key;
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int i = first; i < APPENDS; i += KEYS) {
                        Http.Response sent = api.postJson("/Ledger/scale-" + first + "/append/send",
                                "{\"n\":" + i + ",\"ms\":100}");
                        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
                        ids.add(sent.header("x-restate-id"));
                    }
                }));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
            List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS / 2; i++) {
                calls.add(api.postJsonAsync("/Greeter/greet", "{\"name\":\"before-" + i + "\"}"));
            }

            // In the middle of it: one processor stops cleanly, one dispatcher dies.
            await().atMost(Duration.ofSeconds(60)).until(() -> appendsRun(example) >= APPENDS / 4);
            assertThat(appendsRun(example)).as("stopped mid-load").isLessThan(APPENDS * 3 / 4);
            processor2.terminate(Duration.ofSeconds(60));
            dispatcher2.kill();
            for (int i = 0; i < CALLS / 2; i++) {
                calls.add(api.postJsonAsync("/Greeter/greet", "{\"name\":\"after-" + i + "\"}"));
            }

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> appended(api) == APPENDS);
            for (int key = 0; key < KEYS; key++) {
                List<Integer> values = new ArrayList<>();
                for (JsonNode entry : entries(api, key)) {
                    values.add(entry.get("value").get("n").asInt());
                }
                List<Integer> expected = new ArrayList<>();
                for (int i = key; i < APPENDS; i += KEYS) {
                    expected.add(i);
                }
                assertThat(values).as("scale-%d: every append once, in the order sent", key).isEqualTo(expected);
            }
            for (CompletableFuture<Http.Response> call : calls) {
                Http.Response response = call.get();
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.body()).startsWith("{\"greeting\":\"Hello ");
            }
            for (String id : ids) {
                Http.Response output = api.get("/restate/invocation/" + id + "/output");
                assertThat(output.status()).as(id + ": " + output).isEqualTo(200);
            }

            // The survivors hold every partition now.
            await().atMost(STARTUP).untilAsserted(() -> {
                assertSplit(kafka, topics.processorApplicationId(), topics.log(), 1);
                assertSplit(kafka, topics.dispatcherGroup(), topics.dispatch(), 1);
            });
            assertThat(processor2.log()).as("the stopped processor closed Kafka Streams cleanly")
                    .contains("Processor state PENDING_SHUTDOWN -> NOT_RUNNING");
        } finally {
            for (FerryProcess process : processes) {
                process.close();
            }
        }
    }

    private static FerryProcess start(List<FerryProcess> processes, String role, String prefix) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_ROLES", role);
        env.put("FERRY_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
        env.put("FERRY_TOPIC_PREFIX", prefix);
        env.put("FERRY_PARTITIONS", Integer.toString(PARTITIONS));
        env.put("FERRY_INGRESS_HOST", "127.0.0.1");
        env.put("FERRY_ADMIN_HOST", "127.0.0.1");
        env.put("FERRY_INGRESS_PORT", "0");
        env.put("FERRY_ADMIN_PORT", "0");
        env.put("FERRY_DATA_DIR", Files.createTempDirectory("ferry-scale-" + role).toString());
        env.put("FERRY_DISPATCH_LEASE", "2s");
        env.put("FERRY_STREAMS_NUM_STANDBY_REPLICAS", "1");
        // A dead member leaves no goodbye: its group reassigns its partitions once its session times out.
        env.put("FERRY_STREAMS_SESSION_TIMEOUT_MS", "6000");
        env.put("FERRY_STREAMS_HEARTBEAT_INTERVAL_MS", "1000");
        env.put("FERRY_KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("FERRY_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        FerryProcess process = FerryProcess.start(role + "-" + (processes.size() + 1), env);
        processes.add(process);
        return process;
    }

    /** The group has {@code members} members, each owning some of the topic's partitions, together all of them. */
    private static void assertSplit(Admin kafka, String group, String topic, int members) throws Exception {
        ConsumerGroupDescription description = kafka.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(description.members()).as(group + " members").hasSize(members);
        Set<Integer> owned = new HashSet<>();
        for (MemberDescription member : description.members()) {
            Set<Integer> mine = new HashSet<>();
            for (TopicPartition partition : member.assignment().topicPartitions()) {
                if (partition.topic().equals(topic)) {
                    mine.add(partition.partition());
                }
            }
            assertThat(mine).as(group + ": " + member.consumerId() + " owns partitions of " + topic).isNotEmpty();
            owned.addAll(mine);
        }
        assertThat(owned).as(group + ": every partition of " + topic).hasSize(PARTITIONS);
    }

    /** Append attempts the service has seen so far (retries included). */
    private static long appendsRun(ExampleService example) {
        long total = 0;
        for (int key = 0; key < KEYS; key++) {
            total += example.executions("append:scale-" + key);
        }
        return total;
    }

    private static int appended(Http api) throws IOException {
        int total = 0;
        for (int key = 0; key < KEYS; key++) {
            total += entries(api, key).size();
        }
        return total;
    }

    private static JsonNode entries(Http api, int key) throws IOException {
        Http.Response entries = api.postJson("/Ledger/scale-" + key + "/entries", "");
        assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(entries.body());
    }
}
