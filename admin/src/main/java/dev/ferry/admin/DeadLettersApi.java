package dev.ferry.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.results.DeadLetters;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code GET /dead-letters?limit=}: the newest records of the dead-letter topic, read-only. Each request reads with a
 * consumer of its own that is assigned the topic's partitions and seeks near their ends: no consumer group, no
 * committed offset, nothing written anywhere; {@code read_committed}, so records of aborted transactions never show.
 * The read is bounded in records, bytes and time, and two run at once at most; a value is shown cut to
 * {@value #SHOWN_VALUE_BYTES} bytes.
 */
public final class DeadLettersApi implements HttpService {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 200;
    /** Of each record's value, at most this much goes into the answer. */
    static final int SHOWN_VALUE_BYTES = 4096;
    /** A read stops after this many bytes of records (a dead letter keeps up to 1 MiB of its value). */
    private static final long READ_BYTES = 16L * 1024 * 1024;
    private static final Duration READ_WITHIN = Duration.ofSeconds(5);
    /** Each read opens a consumer and its connections: a few at once at most, so a burst cannot pile them up. */
    private static final int READS_AT_ONCE = 2;

    private final Map<String, String> kafka;
    private final String topic;
    private final Semaphore reads = new Semaphore(READS_AT_ONCE);

    /**
     * @param kafka the Kafka client properties of Ferry's cluster
     * @param topic the dead-letter topic
     */
    public DeadLettersApi(Map<String, String> kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
    }

    /** One record as the answer shows it, cut down as it is read so a read holds little. */
    private record DeadLetter(int partition, long offset, long timestamp, ObjectNode json) {}

    private void list(ServerRequest req, ServerResponse res) {
        int limit = req.query().first("limit").asOptional().map(DeadLettersApi::limit).orElse(DEFAULT_LIMIT);
        List<DeadLetter> newest = new ArrayList<>();
        boolean partial;
        try {
            if (!reads.tryAcquire(READ_WITHIN.toMillis(), TimeUnit.MILLISECONDS)) {
                throw HttpError.of(503, "other reads of the dead-letter topic are under way; ask again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted");
        }
        try {
            partial = read(limit, newest);
        } catch (KafkaException e) {
            throw HttpError.of(503, "could not read the dead-letter topic '" + topic + "': " + e.getMessage());
        } finally {
            reads.release();
        }
        newest.sort(Comparator.comparingLong(DeadLetter::timestamp).reversed()
                .thenComparing(Comparator.comparingLong(DeadLetter::offset).reversed())
                .thenComparingInt(DeadLetter::partition));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("topic", topic);
        ArrayNode list = body.putArray("dead_letters");
        newest.stream().limit(limit).forEach(d -> list.add(d.json()));
        if (partial) {
            body.put("partial", true);
        }
        HttpAnswers.json(res, 200, body);
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw HttpError.of(400, "limit must be a whole number from 1 to " + MAX_LIMIT);
    }

    /**
     * Adds the newest {@code limit} records of each partition to {@code into}; returns whether a partition could not
     * be read to its end within the time or the bytes a read may take.
     */
    private boolean read(int limit, List<DeadLetter> into) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // a seek before what retention kept
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "ferry-admin-dead-letters");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_WITHIN);
            if (infos == null || infos.isEmpty()) {
                return false; // no dead letter was ever written: Ferry creates the topic at start, Kafka on demand
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, READ_WITHIN);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, READ_WITHIN);
            Map<TopicPartition, ArrayDeque<DeadLetter>> kept = new HashMap<>();
            List<TopicPartition> unread = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition);
                // Transaction markers take offsets too (one per transaction the processor commits): twice the limit
                // back finds the limit's records when each came in a transaction of its own.
                long start = Math.max(begins.get(partition), end - 2L * limit);
                if (start < end) {
                    consumer.seek(partition, start);
                    unread.add(partition);
                    kept.put(partition, new ArrayDeque<>());
                }
            }
            consumer.pause(partitions.stream().filter(p -> !unread.contains(p)).toList());
            long deadline = System.nanoTime() + READ_WITHIN.toNanos();
            long bytes = 0;
            while (!unread.isEmpty() && System.nanoTime() < deadline && bytes < READ_BYTES) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= ends.get(partition)) {
                        continue; // written after the read began
                    }
                    bytes += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
                    ArrayDeque<DeadLetter> newest = kept.get(partition);
                    newest.addLast(deadLetter(record));
                    if (newest.size() > limit) {
                        newest.removeFirst();
                    }
                }
                unread.removeIf(p -> consumer.position(p, READ_WITHIN) >= ends.get(p));
                consumer.pause(partitions.stream().filter(p -> !unread.contains(p)).toList());
            }
            kept.values().forEach(into::addAll);
            return !unread.isEmpty();
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("timestamp", HttpAnswers.executionTime(record.timestamp()));
        node.put("topic", record.topic());
        node.put("partition", record.partition());
        node.put("offset", record.offset());
        String kind = header(record, DeadLetters.KIND);
        if (kind != null) {
            node.put("kind", kind);
        }
        String reason = header(record, DeadLetters.REASON);
        if (reason != null) {
            node.put("reason", reason);
        }
        String sourceTopic = header(record, DeadLetters.TOPIC);
        if (sourceTopic != null) {
            ObjectNode source = node.putObject("source");
            source.put("topic", sourceTopic);
            putNumber(source, "partition", header(record, DeadLetters.PARTITION));
            putNumber(source, "offset", header(record, DeadLetters.OFFSET));
        }
        if (record.key() != null) {
            putBytes(node, "key", record.key(), false);
        }
        if (record.value() != null) {
            String originalSize = header(record, DeadLetters.ORIGINAL_SIZE);
            long size = originalSize != null && originalSize.matches("\\d{1,18}")
                    ? Long.parseLong(originalSize) : record.value().length;
            node.put("value_bytes", size);
            byte[] shown = record.value().length > SHOWN_VALUE_BYTES
                    ? Arrays.copyOf(record.value(), SHOWN_VALUE_BYTES) : record.value();
            putBytes(node, "value", shown, shown.length < record.value().length);
            node.put("value_truncated", shown.length < size);
        }
        return new DeadLetter(record.partition(), record.offset(), record.timestamp(), node);
    }

    /**
     * The bytes as text when they are UTF-8, else {@code {"$base64":"..."}}. Bytes that were cut may end in up to
     * three bytes of a character cut in two: those are dropped.
     */
    static void putBytes(ObjectNode node, String field, byte[] bytes, boolean cut) {
        for (int dropped = 0; dropped <= (cut ? Math.min(3, bytes.length) : 0); dropped++) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, bytes.length - dropped)).toString();
                node.put(field, text);
                return;
            } catch (CharacterCodingException e) {
                // not UTF-8, or a character cut in two: try without the last byte
            }
        }
        node.putObject(field).put("$base64", Base64.getEncoder().encodeToString(bytes));
    }

    private static void putNumber(ObjectNode node, String field, String text) {
        if (text != null && text.matches("-?\\d{1,18}")) {
            node.put(field, Long.parseLong(text));
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
