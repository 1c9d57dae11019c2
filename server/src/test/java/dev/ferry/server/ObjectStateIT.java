package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /services/{service}/state/{key}} on a whole Ferry on the test broker: the admin API's query on the
 * queries topic, answered by the processor that hosts the key's partition from its object-state store.
 *
 * <p>The example service is Ferry's plain contract, which keeps its own state, so the state of one key is seeded the
 * way a processor would find it after a restart: as a record on the object-state store's changelog, written before
 * the processor starts and restored into its store ({@link ObjectStateSeed}). That also gives it a value no SDK
 * writes (bytes that are not JSON). {@code SdkStateIT} reads state that SDK handlers set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectStateIT {
    private static final int PARTITIONS = 4;
    private final String prefix = "state" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private final Topics topics = new Topics(prefix);
    private Admin kafka;
    private FerryHarness ferry;
    private Http admin;

    @BeforeAll
    void start() throws Exception {
        kafka = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
        ObjectStateSeed.seed(topics, PARTITIONS, "Counter", "mary", ObjectStateSeed.MARY);
        ferry = FerryHarness.onSharedKafka().with("FERRY_TOPIC_PREFIX", prefix)
                .with("FERRY_PARTITIONS", Integer.toString(PARTITIONS)).start();
        ferry.registerExample();
        admin = ferry.admin();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {ferry, kafka}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // closing the other matters more
            }
        }
    }

    private static JsonNode json(Http.Response response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aKeysStateComesFromTheProcessorThatHostsItsPartitionAndTheReadWritesNothingToTheLog() throws Exception {
        long logBefore = logEndOffsets();
        // The first answer may wait for the processor's tasks to restore and run.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Http.Response state = admin.get("/services/Counter/state/mary");
            assertThat(state.status()).as(state.toString()).isEqualTo(200);
            assertThat(json(state)).isEqualTo(Json.MAPPER.readTree("""
                    {"service_name":"Counter","service_key":"mary","state":[
                      {"key":"blob","value":{"$base64":"/wAB"}},
                      {"key":"count","value":42},
                      {"key":"profile","value":{"name":"Mary","ratio":1.10}}]}"""));
        });
        assertThat(logEndOffsets()).as("reads are queries, not commands").isEqualTo(logBefore);
    }

    @Test
    void aKeyWithoutStateIsAnEmptyListAlsoRightAfterTrafficOnIt() {
        // The example's Counter keeps its count itself: Ferry holds no state for it, whatever the traffic.
        Http.Response add = ferry.ingress().postJson("/Counter/john/add", "5");
        assertThat(add.status()).as(add.toString()).isEqualTo(200);

        Http.Response state = admin.get("/services/Counter/state/john");
        assertThat(state.status()).as(state.toString()).isEqualTo(200);
        assertThat(state.body()).isEqualTo("{\"service_name\":\"Counter\",\"service_key\":\"john\",\"state\":[]}");

        Http.Response slashes = admin.get("/services/Signup/state/a%2Fb%20c");
        assertThat(slashes.status()).as(slashes.toString()).isEqualTo(200);
        assertThat(json(slashes).get("service_key").asText()).isEqualTo("a/b c");
    }

    @Test
    void onlyRegisteredVirtualObjectsAndWorkflowsHaveState() {
        Http.Response stateless = admin.get("/services/Greeter/state/mary");
        assertThat(stateless.status()).isEqualTo(400);
        assertThat(json(stateless).get("message").asText()).contains("only virtual objects and workflows have state");
        assertThat(admin.get("/services/Nope/state/mary").status()).isEqualTo(404);
        assertThat(admin.method("DELETE", "/services/Counter/state/mary", null).status()).isIn(404, 405);
    }

    private long logEndOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> ends = java.util.stream.IntStream.range(0, PARTITIONS).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topics.log(), p), p -> OffsetSpec.latest()));
        return kafka.listOffsets(ends).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }
}
