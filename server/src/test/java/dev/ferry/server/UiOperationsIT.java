package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The UI as an operator runs it, in a real headless Chromium on a real Ferry: behind a reverse proxy that serves the
 * admin under {@code /ferry/} and the ingress under {@code /ingress/} ({@code FERRY_PUBLIC_INGRESS_URL}); its list
 * views writing nothing to the command log; the subscriptions view adding and removing one; the dead-letters view
 * showing a malformed record sent to the requests topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiOperationsIT {
    private PrefixProxy proxy;
    private FerryHarness ferry;
    private ExampleService example;
    private HeadlessBrowser browser;
    private Topics topics;
    private Admin kafkaAdmin;
    private String ui;

    @BeforeAll
    void start() throws Exception {
        browser = HeadlessBrowser.start();
        proxy = new PrefixProxy();
        // The proxy sends the admin its own Host, so the page's origin is the proxy's: the operator allows it.
        ferry = FerryHarness.onSharedKafka()
                .with("FERRY_PUBLIC_INGRESS_URL", proxy.origin() + "/ingress")
                .with("FERRY_ADMIN_ALLOWED_ORIGINS", proxy.origin())
                .start();
        proxy.route("/ferry/", "http://127.0.0.1:" + ferry.server().adminPort() + "/")
                .route("/ingress/", "http://127.0.0.1:" + ferry.server().ingressPort() + "/");
        example = new ExampleService("127.0.0.1", 0).start();
        topics = new Topics(ferry.env.get("FERRY_TOPIC_PREFIX"));
        kafkaAdmin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
        ui = proxy.origin() + "/ferry/";
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (kafkaAdmin != null) {
            kafkaAdmin.close();
        }
        if (example != null) {
            example.close();
        }
        if (ferry != null) {
            ferry.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @Order(1)
    void underAPathPrefixTheUiRegistersAndCallsThroughThePublicIngressUrl() {
        browser.get(ui); // /ferry/ redirects to /ferry/ui/
        browser.visible("[data-testid=empty-state]");
        assertThat(browser.driver.getCurrentUrl()).startsWith(ui + "ui/");
        browser.wait.until(ExpectedConditions.textToBe(By.id("admin-endpoint"), hostAndPath(ui)));
        browser.wait.until(ExpectedConditions.textToBe(By.id("ingress-endpoint"), hostAndPath(proxy.origin() + "/ingress")));

        // Registering posts through the proxy, from the proxy's origin.
        browser.type("#register-uri", "http://127.0.0.1:" + example.port());
        browser.click("#register-submit");
        browser.visible("[data-testid=service-row][data-service=Greeter]");

        browser.click("[data-testid=service-link-Greeter]");
        browser.visible("[data-testid=service-detail][data-service=Greeter]");
        assertThat(browser.visible("[data-testid=openapi-link]").getAttribute("href"))
                .isEqualTo(ui + "services/Greeter/openapi");
        browser.click("[data-testid=open-playground-welcome]");
        browser.visible("[data-testid=playground][data-handler=welcome]");
        browser.click("[data-testid=pg-tab-json]");
        browser.type("#pg-body", "{\"name\":\"Proxy\",\"age\":40}");
        String publicUrl = proxy.origin() + "/ingress/Greeter/welcome";
        assertThat(browser.text("[data-testid=pg-url]")).isEqualTo(publicUrl);
        assertThat(browser.driver.findElement(By.cssSelector("[data-testid=pg-curl]")).getAttribute("textContent"))
                .startsWith("curl -i '" + publicUrl + "'");

        browser.click("[data-testid=pg-send]");
        assertThat(browser.visible("[data-testid=pg-status]").getAttribute("data-status")).isEqualTo("200");
        // The service's answer came back through the proxy's /ingress/ (how often it ran is the dispatcher's
        // business: on a busy machine the harness's 2 s lease may run it twice).
        assertThat(browser.text("[data-testid=pg-response-body]")).contains("Welcome, Proxy!");
    }

    @Test
    @Order(2)
    void openingAndRefreshingTheListViewsWritesNothingToTheRequestsOrLogTopics() throws Exception {
        // A completed invocation and a delayed one, so the invocations view has rows of both kinds.
        assertThat(ferry.ingress().postJson("/Counter/quiet/add", "1").status()).isEqualTo(200);
        Http.Response delayed = ferry.ingress().postJson("/Greeter/greet/send?delay=1h", "{\"name\":\"Later\"}");
        assertThat(delayed.status()).as(delayed.toString()).isEqualTo(202);
        String delayedId = delayed.header("x-restate-id");
        Map<TopicPartition, Long> log = endOffsets(topics.requests(), topics.log());
        Map<TopicPartition, Long> queries = endOffsets(topics.queries());

        browser.get(ui + "ui/#/");
        browser.visible("[data-testid=overview]");
        browser.get(ui + "ui/#/services/Counter");
        browser.visible("[data-testid=service-detail][data-service=Counter]");
        browser.type("#state-key", "quiet");
        browser.click("[data-testid=state-submit]");
        browser.visible("[data-testid=state-empty]");
        browser.get(ui + "ui/#/invocations");
        browser.visible("tr[data-id='" + delayedId + "']");
        browser.click("tr[data-id='" + delayedId + "'] [data-testid=inv-status]");
        browser.visible("[data-testid=inv-details]");
        browser.get(ui + "ui/#/invocations?service=Counter");
        browser.visible("[data-testid=invocations] tr[data-status=completed]");
        browser.get(ui + "ui/#/subscriptions");
        browser.visible("[data-testid=subscriptions-empty]");
        browser.click("[data-testid=subscriptions-refresh]");
        browser.visible("[data-testid=subscriptions-empty]");
        browser.get(ui + "ui/#/dead-letters");
        browser.visible("[data-testid=dead-letters]");
        browser.click("[data-testid=dead-letters-refresh]");
        browser.visible("[data-testid=dead-letters]");
        // Three more refreshes of the invocations view, which refreshes itself every 2 seconds as well.
        browser.get(ui + "ui/#/invocations");
        for (int i = 0; i < 3; i++) {
            browser.click("[data-testid=inv-refresh]");
            browser.visible("tr[data-id='" + delayedId + "']");
        }

        assertThat(endOffsets(topics.requests(), topics.log())).as("the requests and log topics").isEqualTo(log);
        assertThat(endOffsets(topics.queries()).values().stream().mapToLong(Long::longValue).sum())
                .as("the lists were asked on the queries topic")
                .isGreaterThan(queries.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    @Order(3)
    void theSubscriptionsViewListsAddsAndRemovesASubscription() throws Exception {
        String topic = "ui-orders-" + UUID.randomUUID().toString().substring(0, 8);
        kafkaAdmin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        browser.get(ui + "ui/#/subscriptions");
        browser.visible("[data-testid=subscriptions-empty]");

        browser.type("#sub-source", "kafka://default/" + topic);
        browser.type("#sub-sink", "service://Nobody/append");
        browser.click("[data-testid=sub-submit]");
        assertThat(browser.visible("[data-testid=sub-error]").getText()).contains("(400)")
                .contains("service 'Nobody' is not registered");

        browser.type("#sub-sink", "service://Ledger/append");
        browser.type("#sub-options", "{\"auto.offset.reset\":\"earliest\"}");
        browser.click("[data-testid=sub-submit]");
        String row = "[data-testid=subscription-row]";
        assertThat(browser.text(row + " [data-testid=subscription-source]")).isEqualTo("kafka://default/" + topic);
        assertThat(browser.text(row)).contains("service://Ledger/append").contains("auto.offset.reset=earliest");
        JsonNode listed = json(ferry.admin().get("/subscriptions").body()).path("subscriptions");
        assertThat(listed).hasSize(1);
        String id = listed.get(0).path("id").asText();
        assertThat(browser.visible(row).getAttribute("data-id")).isEqualTo(id);
        browser.scrollToTop();
        browser.screenshot("subscriptions");

        browser.click(row + " [data-testid=subscription-remove]");
        browser.click(row + " [data-testid=subscription-remove]"); // the second click confirms
        browser.visible("[data-testid=subscriptions-empty]");
        assertThat(json(ferry.admin().get("/subscriptions").body()).path("subscriptions")).isEmpty();
    }

    @Test
    @Order(4)
    void theDeadLettersViewShowsAMalformedRecordSentToTheRequestsTopic() throws Exception {
        String key = "ui-dead-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", TestKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topics.requests(), key, "{not json, " + key)).get(30, TimeUnit.SECONDS);
        }

        browser.get(ui + "ui/#/dead-letters");
        String row = "[data-testid=dead-letter-row]";
        browser.wait.until(d -> {
            if (!d.findElements(By.cssSelector(row)).isEmpty()) {
                return true;
            }
            browser.click("[data-testid=dead-letters-refresh]"); // the record reaches the topic a moment later
            return false;
        });
        assertThat(browser.text(row + " [data-testid=dead-letter-reason]")).startsWith("not a valid command: not JSON");
        assertThat(browser.text(row + " [data-testid=dead-letter-position]")).matches(
                java.util.regex.Pattern.quote(topics.deadLetter()) + "/\\d+/\\d+");
        assertThat(browser.text(row + " [data-testid=dead-letter-source]")).startsWith("from " + topics.requests() + "/");
        assertThat(browser.text(row + " [data-testid=dead-letter-value]")).isEqualTo("{not json, " + key);
        assertThat(browser.text(row)).contains(key).contains("rejected-record");
        browser.scrollToTop();
        browser.screenshot("dead-letters");

        JsonNode answer = json(ferry.admin().get("/dead-letters?limit=5").body());
        assertThat(answer.path("topic").asText()).isEqualTo(topics.deadLetter());
        JsonNode letter = answer.path("dead_letters").get(0);
        assertThat(letter.path("key").asText()).isEqualTo(key);
        assertThat(letter.path("source").path("topic").asText()).isEqualTo(topics.requests());
        assertThat(letter.path("value_truncated").asBoolean()).isFalse();
        assertThat(ferry.admin().get("/dead-letters?limit=0").status()).isEqualTo(400);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The end offset of every partition of these topics, uncommitted records included. */
    private Map<TopicPartition, Long> endOffsets(String... names) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = kafkaAdmin.describeTopics(List.of(names)).allTopicNames()
                .get(30, TimeUnit.SECONDS).values().stream()
                .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.name(), p.partition())))
                .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
        return kafkaAdmin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static String hostAndPath(String url) {
        return url.replaceFirst("^https?://", "");
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
