package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What an operator relies on: health and readiness, Prometheus metrics, the admin token, signed requests to
 * services, and a clear 503 (not a hang) when the Kafka cluster goes away.
 */
class OperationsIT {
    private static final String TOKEN = "Bearer t0ken-for-tests";

    @Test
    void healthReadinessAndMetricsDescribeARunningFerry() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().start()) {
            ferry.registerExample();
            Http admin = ferry.admin();

            assertThat(admin.get("/health").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/health/ready").status() == 200);
            JsonNode ready = Json.MAPPER.readTree(admin.get("/health/ready").body());
            assertThat(ready.get("status").asText()).isEqualTo("ready");
            int adminPort = ferry.server().adminPort();
            assertThat(Main.health(new String[] {"http://127.0.0.1:" + adminPort + "/health/ready"}))
                    .as("the container health check's command").isZero();
            assertThat(Main.health(new String[] {"http://127.0.0.1:" + adminPort + "/no-such-page"})).isEqualTo(1);
            assertThat(ready.get("checks").properties()).extracting(e -> e.getKey() + "=" + e.getValue().asText())
                    .containsExactly("kafka=ok", "shutdown=ok", "registry=ok", "processor=ok", "dispatcher=ok",
                            "replies=ok");

            assertThat(ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Metrics\"}").status()).isEqualTo(200);
            assertThat(ferry.ingress().postJson("/Greeter/fail", "{}").status()).isEqualTo(400);
            assertThat(ferry.ingress().postJson("/Greeter/flaky", "{\"id\":\"metrics\"}").status()).isEqualTo(200);

            Http.Response scrape = admin.get("/metrics");
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("content-type")).startsWith("text/plain; version=0.0.4");
            String metrics = scrape.body();
            assertThat(metrics)
                    .contains("ferry_invocations_completed_total{handler=\"greet\",outcome=\"succeeded\","
                            + "service=\"Greeter\"} 1.0")
                    .contains("ferry_invocations_completed_total{handler=\"fail\",outcome=\"failed\","
                            + "service=\"Greeter\"} 1.0")
                    .contains("ferry_dispatch_attempts_total{handler=\"flaky\",result=\"retryable\","
                            + "service=\"Greeter\"} 2.0")
                    .contains("ferry_dispatch_attempts_total{handler=\"flaky\",result=\"success\","
                            + "service=\"Greeter\"} 1.0")
                    .contains("ferry_ingress_requests_seconds_bucket{handler=\"greet\",operation=\"call\","
                            + "service=\"Greeter\",status=\"200\",le=\"0.005\"}")
                    .contains("ferry_ingress_requests_seconds_count{handler=\"fail\",operation=\"call\","
                            + "service=\"Greeter\",status=\"400\"} 1")
                    .contains("ferry_dispatch_duration_seconds_count{handler=\"greet\",service=\"Greeter\"} 1")
                    .contains("ferry_dispatch_in_flight 0.0")
                    // one process: its dispatcher takes its processor's dispatches in memory, not from a fetch
                    .containsPattern("ferry_dispatch_in_memory_total [1-9]")
                    .contains("ferry_processor_store_entries{store=\"timers\"}")
                    .contains("ferry_processor_store_entries{store=\"inboxes\"}")
                    .contains("kafka_stream_thread_process_total")
                    .contains("kafka_consumer_fetch_manager_records_consumed_total")
                    // the command log's producer: the ingress's commands and the dispatcher's outcomes
                    .containsPattern("kafka_producer_record_send_total\\{client_id=\"producer-[0-9]+\"[^}]*\\} [1-9]")
                    .contains("jvm_memory_used_bytes");

            // The tasks' metrics come with the binder's next look (StreamsMeters.REFRESH); those per store,
            // processor node, record cache and topic (about 10,000 series) stay out.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.get("/metrics").body())
                    .contains("kafka_stream_task_dropped_records_total"));
            assertThat(admin.get("/metrics").body())
                    .doesNotContain("kafka_stream_state_")
                    .doesNotContain("kafka_stream_processor_node_")
                    .doesNotContain("kafka_stream_record_cache_")
                    .doesNotContain("kafka_stream_topic_");
        }
    }

    @Test
    void theAdminTokenGuardsTheAdminApiButNotHealthNorTheIngress() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ADMIN_TOKEN", "t0ken-for-tests").start()) {
            ExampleService example = new ExampleService("127.0.0.1", 0).start();
            try (example) {
                Http admin = ferry.admin();
                String register = "{\"uri\":\"http://127.0.0.1:" + example.port() + "\"}";

                Http.Response refused = admin.postJson("/deployments", register);
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.header("www-authenticate")).isEqualTo("Bearer realm=\"ferry-admin\"");
                assertThat(refused.body()).contains("Authorization: Bearer");
                assertThat(admin.get("/services", "authorization", "Bearer wrong").status()).isEqualTo(401);
                assertThat(admin.get("/metrics").status()).isEqualTo(401);

                assertThat(admin.postJson("/deployments", register, "authorization", TOKEN).status()).isEqualTo(201);
                assertThat(admin.get("/services", "authorization", TOKEN).status()).isEqualTo(200);
                assertThat(admin.get("/metrics", "authorization", TOKEN).status()).isEqualTo(200);
                assertThat(admin.get("/health").status()).isEqualTo(200);
                assertThat(admin.get("/health/ready").status()).isIn(200, 503);
                assertThat(admin.get("/ui/").status()).isEqualTo(200);
                assertThat(ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Open\"}").status())
                        .as("the ingress has no token").isEqualTo(200);
            }
        }
    }

    @Test
    void servicesCanRefuseRequestsThatFerryDidNotSign() throws Exception {
        String key = "deployment-key-0123456789";
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_SIGNING_KEY", "global-key-0123456789")
                        .start();
                ExampleService signedByDeploymentKey = new ExampleService("127.0.0.1", 0, key).start()) {
            Http admin = ferry.admin();
            Http.Response registered = admin.postJson("/deployments", "{\"uri\":\"http://127.0.0.1:"
                    + signedByDeploymentKey.port() + "\",\"signing_key\":\"" + key + "\"}");
            assertThat(registered.status()).isEqualTo(201);
            assertThat(admin.get("/deployments").body()).contains("\"signed_requests\":true").doesNotContain(key);

            Http.Response call = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Signed\"}");
            assertThat(call.status()).as(call.toString()).isEqualTo(200);
            assertThat(call.body()).contains("Hello Signed");
            Http.Response object = ferry.ingress().postJson("/Counter/signed/add", "2");
            assertThat(object.status()).as("the object key is signed too").isEqualTo(200);

            // Straight to the service, around Ferry: refused, and the handler never runs.
            Http direct = new Http("http://127.0.0.1:" + signedByDeploymentKey.port());
            Http.Response forged = direct.postJson("/invoke/Greeter/greet", "{\"name\":\"Mallory\"}",
                    "x-restate-id", "inv_1aiqX0vFEFNH1Umgre58JiCLgHfTtztYK5");
            assertThat(forged.status()).isEqualTo(401);
            assertThat(forged.body()).contains("not a request from Ferry");
            assertThat(signedByDeploymentKey.executions("greet:Mallory")).isZero();

            // The deployment's key replaced by one the service does not know: Ferry's calls are refused, a 401
            // that fails the invocation with the service's reason.
            assertThat(admin.postJson("/deployments", "{\"uri\":\"http://127.0.0.1:" + signedByDeploymentKey.port()
                    + "\",\"signing_key\":\"some-other-key-0123456\"}").status()).isEqualTo(200);
            Http.Response refused = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Refused\"}");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("the signature does not match the request");

            assertThat(admin.postJson("/deployments", "{\"uri\":\"http://127.0.0.1:" + signedByDeploymentKey.port()
                    + "\",\"signing_key\":\"short\"}").status()).isEqualTo(400);
        }
    }

    @Test
    void whenKafkaGoesAwayTheIngressAnswers503AtOnceAndRecoversWhenItReturns() throws Exception {
        Path kafkaDir = Files.createTempDirectory("ferry-ops-kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0, 0);
        try (FerryHarness ferry = FerryHarness.onSharedKafka()
                .with("FERRY_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()).start()) {
            ferry.registerExample();
            assertThat(ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Before\"}").status()).isEqualTo(200);

            kafka.close();

            // Other checks may notice first (Kafka Streams leaves RUNNING); the kafka check within its interval.
            await().atMost(Duration.ofSeconds(20)).until(() -> Json.MAPPER.readTree(
                    ferry.admin().get("/health/ready").body()).get("checks").get("kafka").asText()
                    .startsWith("the Kafka cluster does not answer"));
            Http.Response notReady = ferry.admin().get("/health/ready");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(notReady.body()).get("status").asText()).isEqualTo("not ready");
            assertThat(ferry.admin().get("/health").status()).as("alive all the same").isEqualTo(200);

            long start = System.nanoTime();
            Http.Response call = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"After\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(call.status()).isEqualTo(503);
            assertThat(call.header("retry-after")).isEqualTo("1");
            assertThat(Json.MAPPER.readTree(call.body()).get("message").asText())
                    .startsWith("Ferry cannot take requests now: the Kafka cluster does not answer");

            // The same broker back (same data, same ports): Ferry serves again without a restart.
            kafka = EmbeddedKafka.start(kafkaDir, kafka.port(), kafka.controllerPort());
            await().atMost(Duration.ofSeconds(60)).until(() -> ferry.admin().get("/health/ready").status() == 200);
            Http.Response again = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Again\"}");
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
        } finally {
            kafka.close();
        }
    }

    @Test
    void aProcessWithoutTheIngressStillServesHealthAndMetricsOnItsAdminPort() throws Exception {
        try (FerryHarness ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "processor,dispatcher").start()) {
            Http admin = ferry.admin();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/health/ready").status() == 200);
            assertThat(Json.MAPPER.readTree(admin.get("/health/ready").body()).get("checks").has("replies"))
                    .as("no ingress here").isFalse();
            assertThat(admin.get("/metrics").body()).contains("kafka_stream_thread_process_total");
            assertThat(admin.get("/deployments").status()).as("the admin API lives with the ingress").isEqualTo(404);
        }
    }
}
