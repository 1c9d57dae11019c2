package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.RenewLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A lease is judged against the processor's reading of the log, not against the clock alone (issue 11): the renewals
 * of a healthy call travel through the log, so behind a backlog longer than a lease they are merely queued, and the
 * call must not be aborted and run again for it. Nor may an attempt that waits in the dispatch topic for a dispatcher
 * to have room (issue 13): no dispatcher has taken it, so there is no lease to lapse yet.
 */
class BacklogIT {
    /** Commands a direct producer floods the log's only partition with: cheap to process, many of them. */
    private static final int FLOOD = 200_000;

    @Test
    void aCallWhoseRenewalsWaitBehindABacklogLongerThanItsLeaseRunsOnce() throws Exception {
        // One partition, so the flood stands in front of every renewal; the harness's lease is 2 s.
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_PARTITIONS", "1").start()) {
            ExampleService example = ferry.registerExample();
            Topics topics = new Topics(ferry.env.get("FERRY_TOPIC_PREFIX"));
            String tag = "backlog-" + UUID.randomUUID().toString().substring(0, 8);
            CompletableFuture<Http.Response> call = CompletableFuture.supplyAsync(() ->
                    ferry.ingress().postJson("/Greeter/slow", "{\"ms\":4000,\"tag\":\"" + tag + "\"}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + tag) == 1);

            long floodStart = System.nanoTime();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                Target nothing = Target.service("Greeter", "nothing");
                for (int i = 0; i < FLOOD; i++) {
                    // Renewals for invocations that do not exist: read, checked and looked up, then ignored.
                    InvocationId id = InvocationIds.forSubmission(nothing, "flood-" + i);
                    producer.send(new ProducerRecord<>(topics.log(), 0, id.toString(),
                            Json.write(new RenewLease(id, 1))));
                }
            }
            // A call appended after the flood is answered once the processor has read past it: the backlog's end.
            Http.Response marker = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"after the flood\"}");
            assertThat(marker.status()).as(marker.toString()).isEqualTo(200);
            Duration backlog = Duration.ofNanos(System.nanoTime() - floodStart);
            assertThat(backlog).as("the backlog outlasted a lease (else this test shows nothing)")
                    .isGreaterThan(Duration.ofSeconds(2));

            Http.Response answer = call.get(60, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(example.executions("slow:" + tag)).as("its lease never lapsed: it ran once").isEqualTo(1);
        }
    }

    @Test
    void attemptsWaitingForADispatcherWithRoomRunOnce() throws Exception {
        // Two open calls at most, 24 calls of 700 ms: the last ones wait about 8 s in the dispatch topic, twice the
        // lease of 4 s (longer than the harness's 2 s, so that a busy machine's pauses do not make a healthy call's
        // renewals late). Before issue 13 their leases lapsed there, and each such call was aborted and dispatched
        // again behind the same queue: under a /send backlog the log filled with lease timers and retries.
        int calls = 24;
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_DISPATCHER_MAX_IN_FLIGHT", "2")
                .with("FERRY_DISPATCH_LEASE", "4s").start()) {
            ExampleService example = ferry.registerExample();
            String tag = "queued-" + UUID.randomUUID().toString().substring(0, 8);
            List<String> ids = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                Http.Response sent = ferry.ingress().postJson("/Greeter/slow/send",
                        "{\"ms\":700,\"tag\":\"" + tag + "-" + i + "\"}");
                assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
                ids.add(Json.MAPPER.readTree(sent.body()).get("invocationId").asText());
            }
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        "completed".equals(invocation(ferry, id).path("status").asText()));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the last calls waited longer than a lease (else this test shows nothing)")
                    .isGreaterThan(Duration.ofSeconds(4));
            for (int i = 0; i < calls; i++) {
                JsonNode invocation = invocation(ferry, ids.get(i));
                assertThat(invocation.path("attempts").asInt()).as("attempts of %s", invocation).isEqualTo(1);
                assertThat(invocation.path("completion_result").asText()).as("%s", invocation).isEqualTo("success");
                assertThat(example.executions("slow:" + tag + "-" + i)).as("executions of call %d", i).isEqualTo(1);
            }
        }
    }

    private static JsonNode invocation(FerryHarness ferry, String id) throws Exception {
        Http.Response response = ferry.admin().get("/invocations/" + id);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }
}
