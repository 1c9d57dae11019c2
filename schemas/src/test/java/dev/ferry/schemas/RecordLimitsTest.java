package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The record sizes derived from the body limit, and that records with a body at the limit fit and read back. */
class RecordLimitsTest {
    private static final int MiB = 1024 * 1024;
    private static final RecordLimits SMALL = new RecordLimits(MiB);

    @Test
    void theDefaultLimitGivesRecordsThatABrokerTakesInOneRequestByDefault() {
        RecordLimits limits = RecordLimits.DEFAULT;

        assertThat(limits.maxBodyBytes()).isEqualTo(32 * MiB);
        assertThat(limits.recordBytes()).isEqualTo(68 * MiB);
        assertThat(limits.deadLetterRecordBytes()).isEqualTo(69 * MiB);
        assertThat(limits.brokerRequestBytes()).isEqualTo(100 * MiB); // Kafka's socket.request.max.bytes default
        assertThat(limits.producerProperties())
                .containsEntry("max.request.size", Integer.toString(69 * MiB))
                .containsEntry("buffer.memory", Long.toString(138L * MiB));
        assertThat(limits.consumerProperties())
                .containsEntry("max.partition.fetch.bytes", Integer.toString(69 * MiB))
                .containsEntry("fetch.max.bytes", Integer.toString(69 * MiB));
    }

    @Test
    void aBrokersRequestLimitGivesTheLargestBodyItTakesAndBackAgain() {
        assertThat(RecordLimits.largestBodyFor(100 * MiB)).as("Kafka's default socket.request.max.bytes")
                .isEqualTo(47 * MiB);
        assertThat(SMALL.produceRequestBytes()).isEqualTo(8 * MiB);
        assertThat(RecordLimits.largestBodyFor(SMALL.produceRequestBytes())).isEqualTo(MiB);
        assertThat(RecordLimits.largestBodyFor(SMALL.produceRequestBytes() - 2)).isLessThan(MiB);
        assertThat(RecordLimits.largestBodyFor(MiB)).isZero();
    }

    @Test
    void smallLimitsKeepKafkasDefaultsWhereTheyAreLarger() {
        assertThat(SMALL.producerBufferBytes()).isEqualTo(32L * MiB);
        assertThat(SMALL.consumerProperties()).containsEntry("fetch.max.bytes", Integer.toString(50 * MiB));
        assertThat(SMALL.brokerRequestBytes()).isEqualTo(100 * MiB);
    }

    @Test
    void theLargestSettingStillFitsKafkasIntSizedLimits() {
        RecordLimits largest = new RecordLimits(RecordLimits.LARGEST_MAX_BODY_BYTES);

        assertThat(largest.deadLetterRecordBytes()).isEqualTo(RecordLimits.LARGEST_RECORD_BYTES).isPositive();
        assertThat(largest.brokerRequestBytes()).isPositive();
        assertThat(largest.producerBufferBytes()).isLessThan(Integer.MAX_VALUE);
        assertThatThrownBy(() -> RecordLimits.ofMaxBodyBytes(RecordLimits.LARGEST_MAX_BODY_BYTES + 1L))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordLimits.ofMaxBodyBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBinaryBodyAtTheLimitWithTheLargestHeadersFitsARecordAndReadsBackIntact() throws IOException {
        byte[] body = new byte[SMALL.maxBodyBytes()];
        new Random(1).nextBytes(body);

        byte[] record = Json.write(invoke(Payload.of(body), largestHeaders()));

        assertThat(record.length).isLessThanOrEqualTo(SMALL.recordBytes());
        assertThat(readAsTheProcessorDoes(record).body().bytes()).isEqualTo(body);
    }

    @Test
    void aJsonBodyWhoseNumbersGrowWhenWrittenAgainStillFitsARecord() throws IOException {
        // 1e-6 is written again as 0.000001 once the processor has read it: the worst growth a JSON body has.
        StringBuilder json = new StringBuilder("[1e-6");
        while (json.length() + 6 <= SMALL.maxBodyBytes()) {
            json.append(",1e-6");
        }
        json.append(']');
        Payload body = Payload.ofUtf8(json.toString());
        assertThat(body.size()).isLessThanOrEqualTo(SMALL.maxBodyBytes());

        Invoke read = readAsTheProcessorDoes(Json.write(invoke(body, largestHeaders())));
        byte[] rewritten = Json.write(invoke(read.body(), largestHeaders()));

        assertThat(read.body().size()).isGreaterThan((int) (1.7 * body.size()));
        assertThat(rewritten.length).isLessThanOrEqualTo(SMALL.recordBytes());
        assertThat(Json.MAPPER.readTree(read.body().bytes())).isEqualTo(Json.MAPPER.readTree(body.bytes()));
    }

    @Test
    void aJsonStringBodyOfThirtyTwoMebibytesReadsBackFromARecord() throws IOException {
        // One JSON string over Jackson's default limit of 20,000,000 characters.
        byte[] body = new byte[RecordLimits.DEFAULT_MAX_BODY_BYTES];
        Arrays.fill(body, (byte) 'a');
        body[0] = '"';
        body[body.length - 1] = '"';

        byte[] record = Json.write(invoke(Payload.of(body), List.of()));

        assertThat(new String(record, 0, 200, StandardCharsets.UTF_8)).doesNotContain("$base64");
        assertThat(new RecordSchemas().problems("Invoke", new String(record, StandardCharsets.UTF_8))).isEmpty();
        assertThat(readAsTheProcessorDoes(record).body().bytes()).isEqualTo(body);
        assertThat(Json.read(record, Invoke.class).body().bytes()).isEqualTo(body);
    }

    @Test
    void aBodyNestedDeeperThanARecordCanHoldIsCarriedAsBytes() throws IOException {
        Payload deep = Payload.ofUtf8("[".repeat(Json.MAX_NESTING_DEPTH) + "]".repeat(Json.MAX_NESTING_DEPTH));
        Payload allowed = Payload.ofUtf8("[".repeat(Json.MAX_BODY_NESTING_DEPTH)
                + "]".repeat(Json.MAX_BODY_NESTING_DEPTH));

        byte[] deepRecord = Json.write(invoke(deep, List.of()));
        byte[] allowedRecord = Json.write(invoke(allowed, List.of()));

        assertThat(new String(deepRecord, StandardCharsets.UTF_8)).contains("$base64");
        assertThat(readAsTheProcessorDoes(deepRecord).body()).isEqualTo(deep);
        assertThat(new String(allowedRecord, StandardCharsets.UTF_8)).doesNotContain("$base64");
        assertThat(readAsTheProcessorDoes(allowedRecord).body()).isEqualTo(allowed);
        // The record validator reads as deep as Ferry does (its own default stops at 500 levels).
        assertThat(new RecordSchemas().problems("Invoke", new String(allowedRecord, StandardCharsets.UTF_8)))
                .isEmpty();
    }

    /** As the processor reads a command: a tree first, then the record. */
    private static Invoke readAsTheProcessorDoes(byte[] record) throws IOException {
        JsonNode tree = Json.MAPPER.readTree(record);
        return (Invoke) Json.MAPPER.treeToValue(tree, Command.class);
    }

    /** As many header bytes as the ingress takes, in headers that JSON-escape to six times their size. */
    private static List<Header> largestHeaders() {
        List<Header> headers = new ArrayList<>();
        int perHeader = 8 * 1024;
        for (int i = 0; i < RecordLimits.MAX_HEADER_BYTES / perHeader; i++) {
            headers.add(new Header("x-h" + i, "\u0001".repeat(perHeader - 8)));
        }
        return headers;
    }

    private static Invoke invoke(Payload body, List<Header> headers) {
        String key = "k".repeat(RecordLimits.MAX_KEY_BYTES - 100);
        Target target = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);
        return new Invoke(InvocationIds.forSubmission(target, "idem"), target, "idem", "application/json",
                headers, body, null, null, false, null, false, 0, null);
    }
}
