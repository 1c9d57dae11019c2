package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /invocations} and {@code GET /invocations/{id}} answered by processors in other Ferrys than the admin
 * API's (the ingress role alone in one; processor and dispatcher in two others, which split the partitions, as when
 * scaled out): they write nothing to the command log, a page's work is bounded whatever the filter, and paging
 * gives each invocation once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingIT {
    private static final int PARTITIONS = 4;
    /** More than a partition examines for one page (10,000), all on partition 0, waiting an hour to start. */
    private static final int CROWD = 12_000;
    private static final int SENDS = 130;

    private final String prefix = "list" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private final Topics topics = new Topics(prefix);
    private FerryHarness front;
    private FerryHarness back;
    private FerryHarness otherBack;
    private Http admin;
    private Admin kafka;
    private final List<String> sent = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        kafka = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
        back = harness("processor,dispatcher").start();
        otherBack = harness("processor,dispatcher").start();
        front = harness("ingress").start();
        front.registerExample();
        admin = front.admin();
        Http ingress = front.ingress();
        // The processors know the service once a call through them succeeds.
        await().atMost(Duration.ofSeconds(60)).until(() -> ingress.postJson("/Greeter/noop", "{}").status() == 200);

        // The crowd, written as a direct producer would: scheduled Greeter/noop invocations on partition 0.
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < CROWD; i++) {
                producer.send(new ProducerRecord<>(topics.log(), 0, null, "{\"type\":\"Invoke\",\"target\":"
                        + "{\"service\":\"Greeter\",\"handler\":\"noop\"},\"delay\":\"1h\",\"body\":{\"i\":" + i + "}}"));
            }
            producer.flush();
        }
        // Then, newer, delayed Greeter/greet sends over every partition.
        for (int i = 0; i < SENDS; i++) {
            Http.Response send = ingress.postJson("/Greeter/greet/send?delay=1h", "{\"name\":\"n" + i + "\"}");
            assertThat(send.status()).as(send.toString()).isEqualTo(202);
            sent.add(send.header("x-restate-id"));
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> processedOffsets() >= logEndOffsets());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(processorsOwningPartitions())
                .as("both processors own partitions of the log").isEqualTo(2));
    }

    private int processorsOwningPartitions() throws Exception {
        String group = topics.processorApplicationId();
        return (int) kafka.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                .filter(member -> member.assignment().topicPartitions().stream()
                        .anyMatch(partition -> partition.topic().equals(topics.log())))
                .count();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {front, otherBack, back, kafka}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // closing the others matters more
            }
        }
    }

    @Test
    void listingAndDescribingWriteNothingToTheCommandLog() throws Exception {
        long queriesBefore = endOffsets(topics.queries(), 1);
        long logBefore = logEndOffsets();
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            long started = System.nanoTime();
            Http.Response list = admin.get("/invocations?limit=50");
            millis.add((System.nanoTime() - started) / 1_000_000);
            assertThat(list.status()).as(list.toString()).isEqualTo(200);
            assertThat(json(list).get("invocations")).hasSize(50);
            assertThat(json(list).has("partial")).as("every partition answered").isFalse();
            Http.Response describe = admin.get("/invocations/" + sent.get(i));
            assertThat(describe.status()).as(describe.toString()).isEqualTo(200);
            assertThat(json(describe).get("status").asText()).isEqualTo("scheduled");
        }
        assertThat(logEndOffsets()).as("the command log's end offsets after 50 reads").isEqualTo(logBefore);
        assertThat(endOffsets(topics.queries(), 1)).as("each read is one query record").isEqualTo(queriesBefore + 50);
        System.out.printf("ListingIT: list of 50 over %d invocations (%d partitions): %s ms%n",
                CROWD + SENDS, PARTITIONS, millis.stream().sorted().toList());
    }

    @Test
    void aFilterThatMatchesNothingAnswersSoonWithACursorToGoOnFrom() {
        // The worst case: the status is only known by reading each invocation (the service and handler are in the
        // index), and 12,000 of them on partition 0 are Greeter/noop.
        String filter = "/invocations?service=Greeter&handler=noop&status=paused";
        long started = System.nanoTime();
        JsonNode first = json(admin.get(filter));
        long firstMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(first.get("invocations")).isEmpty();
        assertThat(first.has("partial")).as("every partition answered in time: %s", first).isFalse();
        assertThat(first.hasNonNull("next_before")).as("partition 0 stopped early: %s", first).isTrue();
        assertThat(firstMillis).as("one bounded page").isLessThan(6_000L);

        started = System.nanoTime();
        JsonNode second = json(admin.get(filter + "&before=" + first.get("next_before").asText()));
        long secondMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(second.get("invocations")).isEmpty();
        assertThat(second.has("partial")).as("every partition answered in time: %s", second).isFalse();
        assertThat(second.has("next_before")).as("the rest of partition 0 fits one page: %s", second).isFalse();

        // A handler nobody calls is ruled out by the index alone.
        started = System.nanoTime();
        JsonNode byIndex = json(admin.get("/invocations?service=Greeter&handler=welcome"));
        long byIndexMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(byIndex.get("invocations")).isEmpty();
        assertThat(byIndex.has("partial")).isFalse();
        System.out.printf("ListingIT: a status filter matching none of %d invocations: %d ms (stopped with a cursor),"
                + " then %d ms to the end; a handler filter matching none: %d ms (%s)%n", CROWD + SENDS, firstMillis,
                secondMillis, byIndexMillis, byIndex.has("next_before") ? "with a cursor" : "to the end");
    }

    @Test
    void pagingOverMoreInvocationsThanAPageGivesEachOnceNewestFirst() {
        List<String> paged = new ArrayList<>();
        List<Long> created = new ArrayList<>();
        String before = null;
        int pages = 0;
        do {
            JsonNode page = json(admin.get("/invocations?service=Greeter&handler=greet&status=scheduled&limit=50"
                    + (before == null ? "" : "&before=" + before)));
            assertThat(page.get("invocations").size()).isLessThanOrEqualTo(50);
            assertThat(page.has("partial")).as("every partition answered in time: %s", page).isFalse();
            page.get("invocations").forEach(view -> {
                paged.add(view.get("id").asText());
                created.add(view.get("created_at_millis").asLong());
            });
            before = page.hasNonNull("next_before") ? page.get("next_before").asText() : null;
            pages++;
        } while (before != null && pages < 20);
        assertThat(before).as("reached the end").isNull();
        assertThat(paged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
        assertThat(created).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        System.out.printf("ListingIT: %d sends listed in %d pages of at most 50%n", paged.size(), pages);
    }

    @Test
    void aPageIsCappedAndAnOutOfRangeLimitIsRefused() {
        assertThat(json(admin.get("/invocations?limit=200")).get("invocations")).hasSize(200);
        Http.Response tooMany = admin.get("/invocations?limit=201");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body()).contains("from 1 to 200");
        assertThat(json(admin.get("/invocations")).get("invocations")).as("the default page").hasSize(50);
        assertThat(admin.get("/invocations?before=yesterday").status()).isEqualTo(400);
    }

    @Test
    void withoutAnyProcessorADescribeIs503AndAListPartialNotAHang() throws Exception {
        try (FerryHarness alone = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress").start()) {
            Http lonely = alone.admin();
            long started = System.nanoTime();
            Http.Response describe = lonely.get("/invocations/" + sent.get(0));
            assertThat(describe.status()).as(describe.toString()).isEqualTo(503);
            assertThat(describe.body()).contains("no processor answered");
            JsonNode list = json(lonely.get("/invocations"));
            assertThat(list.get("invocations")).isEmpty();
            assertThat(list.get("partial").asBoolean()).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000L);
        }
    }

    private FerryHarness harness(String roles) {
        return FerryHarness.onSharedKafka()
                .with("FERRY_TOPIC_PREFIX", prefix)
                .with("FERRY_PARTITIONS", Integer.toString(PARTITIONS))
                .with("FERRY_ROLES", roles);
    }

    private long logEndOffsets() throws Exception {
        return endOffsets(topics.log(), PARTITIONS);
    }

    private long endOffsets(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return kafka.listOffsets(latest).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** The command log offsets the processors have committed, summed over partitions. */
    private long processedOffsets() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = kafka
                .listConsumerGroupOffsets(topics.processorApplicationId()).partitionsToOffsetAndMetadata().get();
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            if (entry.getKey().topic().equals(topics.log()) && entry.getValue() != null) {
                sum += entry.getValue().offset();
            }
        }
        return sum;
    }

    private static JsonNode json(Http.Response response) {
        try {
            return Json.MAPPER.readTree(response.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
