package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.processor.Policies;
import dev.ferry.processor.ProcessorApp;
import dev.ferry.processor.ProcessorOutputs;
import dev.ferry.processor.ProcessorSettings;
import dev.ferry.processor.RegistryPolicies;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.results.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * No single record stalls Ferry: for each kind of record that cannot be processed or produced, on a real broker,
 * that one invocation ends with the reason for whoever waits for it, a bounded copy goes to the dead-letter topic,
 * a plain call on another invocation answers within a second right after, and no stream thread was replaced.
 *
 * <p>The processor runs in the test, as an ordinary {@link ProcessorApp} whose {@link Policies} throw for one
 * handler ({@code Greeter/noop}): a bug in the decision logic, while applying a command or firing a timer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonRecordIT {
    private static final Duration PLAIN_CALL_BOUND = Duration.ofSeconds(1);

    private FerryHarness ferry;
    private ExampleService example;
    private Topics topics;
    private RegistryView registry;
    private ProcessorApp processor;
    private KafkaProducer<String, byte[]> producer;
    private int plainCalls;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().with("FERRY_ROLES", "ingress,dispatcher").start();
        example = ferry.registerExample();
        topics = new Topics(ferry.env.get("FERRY_TOPIC_PREFIX"));
        Map<String, String> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
        registry = new RegistryView(topics.deployments(), kafka);
        registry.start(Duration.ofSeconds(30));
        FerryConfig config = FerryConfig.load(ferry.env);
        Policies real = new RegistryPolicies(registry, config.serviceDefaults());
        Policies throwingForNoop = new Policies() {
            @Override
            public RetryPolicy retryPolicy(Target target) {
                return real.retryPolicy(target);
            }

            @Override
            public Duration retention(Target target, String idempotencyKey) {
                return real.retention(target, idempotencyKey);
            }

            @Override
            public Duration inactivityTimeout(Target target) {
                if (target.handler().equals("noop")) {
                    throw new IllegalStateException("no timeout for noop");
                }
                return real.inactivityTimeout(target);
            }

            @Override
            public boolean publishResults(Target target) {
                return real.publishResults(target);
            }
        };
        processor = new ProcessorApp(topics, new ProcessorSettings(throwingForNoop, registry::registry,
                config.partitions(), config.dispatchLease(), config.timerTick(), config.recordLimits(),
                config.resultTopics(), config.maxInboxLength()), kafka,
                Map.of(), Files.createTempDirectory("ferry-poison-streams"), new SimpleMeterRegistry(),
                ProcessorOutputs.NONE);
        processor.start();
        await().atMost(Duration.ofSeconds(60)).until(processor::running);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1"); // see KafkaNativeIT (KAFKA-15591)
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        // The first calls warm connections and code paths up; only later ones are timed.
        for (int i = 0; i < 3; i++) {
            assertThat(ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"warm\"}").status()).isEqualTo(200);
        }
    }

    @AfterEach
    void noStreamThreadWasReplaced() {
        assertThat(processor.threadReplacements()).as("stream threads replaced").isZero();
        assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @AfterAll
    void stop() {
        if (producer != null) {
            producer.close();
        }
        if (processor != null) {
            processor.close();
        }
        if (registry != null) {
            registry.close();
        }
        ferry.close();
    }

    @Test
    void aRecordTooLargeToDeadLetterInFullIsCutAndEverythingElseCarriesOn() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        byte[] huge = new byte[5 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        byte[] marker = ("\"" + run).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(marker, 0, huge, 0, marker.length);
        producer.send(new ProducerRecord<>(topics.log(), run, huge)).get();

        ConsumerRecord<String, byte[]> dead = deadLetter(r -> run.equals(r.key()));
        assertThat(dead.value()).as("a bounded copy").hasSize(1024 * 1024);
        assertThat(header(dead, DeadLetters.ORIGINAL_SIZE)).isEqualTo(Integer.toString(huge.length));
        assertThat(header(dead, DeadLetters.REASON)).startsWith("not a valid command: not JSON")
                .endsWith("(value cut from 5242880 bytes to 1048576)");
        assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(topics.log());
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void aCommandThatThrowsEndsOnlyItsInvocationWithTheReason() {
        Http.Response failed = ferry.ingress().postJson("/Greeter/noop", "{\"tag\":\"throws\"}");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(500);
        assertThat(failed.body()).contains("Ferry could not process a Invoke of this invocation",
                "no timeout for noop");
        ConsumerRecord<String, byte[]> dead = deadLetter(r -> "processing failed: java.lang.IllegalStateException: no timeout for noop"
                .equals(header(r, DeadLetters.REASON)));
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
        assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(topics.requests());
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void aTimerThatThrowsEndsItsInvocationForAttachedClientsAndFiresNoMore() throws Exception {
        Http.Response sent = ferry.ingress().postJson("/Greeter/noop/send?delay=1s", "{\"tag\":\"timer\"}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        String id = sent.header("x-restate-id");
        CompletableFuture<Http.Response> attached = CompletableFuture.supplyAsync(() ->
                ferry.ingress().get("/restate/invocation/" + id + "/attach"));

        Http.Response result = attached.get();
        assertThat(result.status()).as(result.toString()).isEqualTo(500);
        assertThat(result.body()).contains("Ferry could not process a START timer of " + id, "no timeout for noop");
        ConsumerRecord<String, byte[]> dead = deadLetter(r -> id.equals(r.key())
                && DeadLetters.FAILED_TIMER.equals(header(r, DeadLetters.KIND)));
        assertThat(header(dead, DeadLetters.REASON)).contains("START", "no timeout for noop");
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void resultTopicsThatDoNotExistOrAreNotAllowedAreRefusedWithTheReason() throws Exception {
        String missing = "results-nowhere-" + UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(topics.log(), "k", invoke("missing", missing))).get();
        producer.send(new ProducerRecord<>(topics.log(), "k", invoke("forbidden", topics.deployments()))).get();

        deadLetter(r -> ("the result topic '" + missing + "' does not exist").equals(header(r, DeadLetters.REASON)));
        deadLetter(r -> ("the result topic '" + topics.deployments() + "' is not allowed: topics starting with "
                + topics.prefix() + " are Ferry's own (except " + topics.results() + ")")
                .equals(header(r, DeadLetters.REASON)));
        assertThat(example.executions("greet:missing")).isZero();
        assertThat(example.executions("greet:forbidden")).isZero();
        aPlainCallAnswersWithinASecond();

        Http.Response refused = ferry.admin().postJson("/subscriptions", "{\"source\":\"kafka://default/"
                + topics.log() + "\",\"sink\":\"service://Greeter/greet\",\"options\":{\"result_topic\":\""
                + topics.deployments() + "\"}}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).contains("invalid result_topic: the result topic '" + topics.deployments()
                + "' is not allowed");
    }

    @Test
    void aResultTooLargeForItsResultTopicEndsItsInvocationInsteadOfFailingTheTransaction() throws Exception {
        // A result topic that takes records of 1 KiB at most: the broker would refuse the result, and under
        // exactly-once that aborts the transaction with the command's other effects, and the command runs again.
        String small = "results-small-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(small, 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024")))).all().get();
        }
        String key = "too-large-" + UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(topics.log(), key, ("{\"type\":\"Invoke\",\"target\":{\"service\":"
                + "\"Greeter\",\"handler\":\"greet\"},\"idempotencyKey\":\"" + key + "\",\"body\":{\"name\":\""
                + "x".repeat(4096) + "\",\"tag\":\"" + key + "\"},\"resultTopic\":\"" + small + "\"}")
                .getBytes(StandardCharsets.UTF_8))).get();

        Http.Response attached = ferry.ingress().get("/restate/invocation/Greeter/greet/" + key + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(500);
        assertThat(attached.body()).contains("Ferry could not process a Completion of this invocation: its result"
                + " would be ", " bytes, over the 1024 bytes the result topic '" + small + "' takes");
        ConsumerRecord<String, byte[]> dead = deadLetter(r -> String.valueOf(header(r, DeadLetters.REASON))
                .startsWith("processing failed: its result would be "));
        assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(topics.log());
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void aReplyToForgedOnTheLogAnswersNobodyWhileTheRealCallerGetsItsOwnAnswer() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        CompletableFuture<Http.Response> real = ferry.ingress().postJsonAsync("/Greeter/slow",
                "{\"tag\":\"" + run + "\",\"ms\":500}");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + run) == 1);
        String forgedIngress = "ingress-forged-" + run;
        producer.send(new ProducerRecord<>(topics.log(), "k", ("{\"type\":\"Invoke\",\"target\":{\"service\":"
                + "\"Greeter\",\"handler\":\"greet\"},\"idempotencyKey\":\"" + run + "\",\"body\":{\"tag\":\"" + run
                + "\"},\"replyTo\":{\"ingressId\":\"" + forgedIngress + "\",\"requestId\":\"r1\"}}")
                .getBytes(StandardCharsets.UTF_8))).get();

        Http.Response answer = real.get();
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body()).contains(run);
        // The forged submission still ran (a caller-less Invoke is fine); its result went to nobody.
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:" + run) == 1);
        Http.Response attached = ferry.ingress().get("/restate/invocation/Greeter/greet/" + run + "/attach");
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        List<ConsumerRecord<String, byte[]>> replies = readAll(topics.replies());
        assertThat(replies).as("no reply to the forged caller").noneMatch(r -> forgedIngress.equals(r.key()));
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void anInvocationIdThatMatchesThePatternButDoesNotDecodeIsRefusedWithTheReason() throws Exception {
        // As a plain producer might write it: the schema's pattern allows it, but its 11-digit partition key is
        // past 2^64. Reading the record fails (the id is typed); the reason says which id and why.
        String run = UUID.randomUUID().toString().substring(0, 8);
        String undecodable = "inv_1" + "Z".repeat(11) + "0".repeat(22);
        producer.send(new ProducerRecord<>(topics.log(), run, ("{\"type\":\"Invoke\",\"invocationId\":\""
                + undecodable + "\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},\"body\":{\"tag\":\""
                + run + "\"}}").getBytes(StandardCharsets.UTF_8))).get();

        ConsumerRecord<String, byte[]> dead = deadLetter(r -> run.equals(r.key()));
        assertThat(header(dead, DeadLetters.REASON))
                .isEqualTo("bad invocation id '" + undecodable + "': base62 decode error");
        assertThat(header(dead, DeadLetters.KIND)).isEqualTo(DeadLetters.REJECTED_RECORD);
        assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo(topics.log());
        assertThat(example.executions("greet:" + run)).isZero();
        aPlainCallAnswersWithinASecond();
    }

    @Test
    void theRegistrySurvivesGarbageOnItsTopicAcrossARestart() throws Exception {
        producer.send(new ProducerRecord<>(topics.deployments(), "dp_garbage", "{not json".getBytes())).get();
        producer.send(new ProducerRecord<>(topics.deployments(), "dp_other",
                "{\"invocationId\":\"inv_1\",\"status\":\"succeeded\"}".getBytes())).get();
        producer.send(new ProducerRecord<>(topics.deployments(), "sub_x", "[]".getBytes())).get();
        // An invocation result, as a resultTopic naming this topic would have put it (Ferry refuses that now).
        producer.send(new ProducerRecord<>(topics.deployments(), "inv_1aaaaaaaaaaaaaaaaaaaaaaaaaa",
                "{\"invocationId\":\"inv_1aaaaaaaaaaaaaaaaaaaaaaaaaa\"}".getBytes())).get();
        producer.send(new ProducerRecord<>(topics.deployments(), "dp_noid", "{\"uri\":\"http://x\"}".getBytes())).get();
        producer.send(new ProducerRecord<>(topics.deployments(), "dp_unknown", null)).get();
        ferry.stop();
        ferry.start();
        assertThat(ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"warm\"}").status()).isEqualTo(200);
        Http.Response services = ferry.admin().get("/services");
        assertThat(services.status()).isEqualTo(200);
        JsonNode listed = Json.MAPPER.readTree(services.body());
        assertThat(listed.toString()).contains("\"Greeter\"");
        aPlainCallAnswersWithinASecond();
    }

    /** A call on another invocation answers, and quickly: nothing is stuck behind the poison. */
    private void aPlainCallAnswersWithinASecond() {
        String tag = "plain-" + (++plainCalls) + "-" + UUID.randomUUID().toString().substring(0, 6);
        long start = System.nanoTime();
        Http.Response response = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"P\",\"tag\":\"" + tag + "\"}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        System.out.println("PoisonRecordIT: a plain call answered in " + took.toMillis() + " ms");
        assertThat(took).as("a plain call's latency").isLessThan(PLAIN_CALL_BOUND);
    }

    private static byte[] invoke(String tag, String resultTopic) {
        return ("{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\",\"handler\":\"greet\"},\"body\":{\"tag\":\""
                + tag + "\"},\"resultTopic\":\"" + resultTopic + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private ConsumerRecord<String, byte[]> deadLetter(Predicate<ConsumerRecord<String, byte[]>> wanted) {
        List<ConsumerRecord<String, byte[]>> found = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topics.deadLetter()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (wanted.test(r)) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
        }
        return found.getFirst();
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
