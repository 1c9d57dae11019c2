package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private static final int[] PARTITION_COUNTS = {1, 2, 3, 7, 12, 64, 100, 1000};

    @Test
    void partitionOfAKeyIsKafkasDefaultPartitionForThatKey() {
        for (String key : keys()) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            long partitionKey = Routing.partitionKey(key);
            for (int partitions : PARTITION_COUNTS) {
                int kafka = Utils.toPositive(Utils.murmur2(bytes)) % partitions;

                assertThat(Routing.partition(partitionKey, partitions))
                        .as("key '%s', %d partitions", key, partitions)
                        .isEqualTo(kafka);
                assertThat(Routing.partition(key, partitions)).isEqualTo(kafka);
            }
        }
    }

    @Test
    void partitionOfARecordKeyIsTheOneKafkasProducerPicks() {
        for (String key : keys()) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            for (int partitions : PARTITION_COUNTS) {
                assertThat(Routing.partitionOfRecordKey(bytes, partitions))
                        .as("key '%s', %d partitions", key, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(bytes, partitions));
            }
        }
    }

    @Test
    void partitionKeyOfAKeyIsStable() {
        assertThat(Routing.partitionKey("user-42")).isEqualTo(Routing.partitionKey("user-42"));
    }

    @Test
    void randomPartitionKeysGivePartitionsInRangeAndReachEveryPartition() {
        int partitions = 4;
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            int partition = Routing.partition(Routing.randomPartitionKey(), partitions);
            assertThat(partition).isBetween(0, partitions - 1);
            seen.add(partition);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void randomPartitionKeysGivePartitionsInRangeForOddCounts() {
        for (int i = 0; i < 1000; i++) {
            assertThat(Routing.partition(Routing.randomPartitionKey(), 7)).isBetween(0, 6);
        }
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(List.of(
                "", "a", "hello", "user-42", "ключ", "日本語のキー", "🚀 rocket", "a/b c", "\u0000", "é"));
        Random random = new Random(20240601);
        for (int i = 0; i < 1000; i++) {
            StringBuilder key = new StringBuilder();
            int length = random.nextInt(20);
            for (int j = 0; j < length; j++) {
                // Mostly ASCII, sometimes anywhere in the BMP or beyond, never a lone surrogate.
                int codePoint = random.nextInt(4) == 0 ? random.nextInt(0x10FFFF) : 0x20 + random.nextInt(0x5F);
                if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
                    codePoint = 'x';
                }
                key.appendCodePoint(codePoint);
            }
            keys.add(key.toString());
        }
        return keys;
    }
}
