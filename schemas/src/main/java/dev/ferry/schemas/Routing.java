package dev.ferry.schemas;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.utils.Utils;

/**
 * The one routing function of Ferry: routing key → partition key → partition.
 *
 * <p>The low 31 bits of a partition key are the positive murmur2 hash of the routing key's UTF-8 bytes, and the
 * partition is that hash modulo the partition count: exactly what Kafka's default partitioner computes for a
 * record keyed by those bytes. So a plain Kafka producer that keys an {@code Invoke} record by its routing key
 * lands on the same partition as Ferry's own ingress, and a command that only knows an invocation id finds the
 * partition through the partition key inside the id. The high 33 bits are a scramble of the low ones: they carry
 * no routing information, and only make the 64-bit keys (and the ids that show them) spread evenly.
 */
public final class Routing {
    private Routing() {}

    private static final long KAFKA_HASH_BITS = 0x7fffffffL;

    public static long partitionKey(String routingKey) {
        return spread(Utils.toPositive(Utils.murmur2(routingKey.getBytes(StandardCharsets.UTF_8))));
    }

    /** A partition key for an invocation that has no routing key: a random partition. */
    public static long randomPartitionKey() {
        return spread(ThreadLocalRandom.current().nextInt() & KAFKA_HASH_BITS);
    }

    /** A partition key that routes to {@code partition}: for a record that has no routing key of its own. */
    public static long partitionKeyOf(int partition) {
        return spread(partition);
    }

    public static int partition(long partitionKey, int partitions) {
        return (int) ((partitionKey & KAFKA_HASH_BITS) % partitions);
    }

    private static long spread(long kafkaHash) {
        return ((kafkaHash * 0x9E3779B97F4A7C15L) << 31) | kafkaHash;
    }

    public static int partition(String routingKey, int partitions) {
        return partition(partitionKey(routingKey), partitions);
    }

    /** The partition Kafka's default partitioner picks for a record with this key. */
    public static int partitionOfRecordKey(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
}
