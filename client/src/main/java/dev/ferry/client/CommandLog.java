package dev.ferry.client;

import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Invoke;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends commands to the command log, each on the partition that owns its invocation: the partition of the
 * partition key inside the invocation id. An {@code Invoke} is keyed by its routing key (so the log reads as
 * "what happened to this object"), any other command by its invocation id.
 */
public final class CommandLog implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final int partitions;
    /** Whether this log made its producer (and closes it), or shares another log's ({@link #to}). */
    private final boolean ownsProducer;

    /** Appends to the log: dispatchers' outcomes and lease renewals, subscriptions' submissions. */
    public CommandLog(Topics topics, Map<String, String> kafka, RecordLimits limits) {
        this(topics.log(), kafka, limits);
    }

    /**
     * @param topic the log, or for an ingress the requests topic (the only one whose {@code replyTo} is honoured);
     *     both have the same partitions
     */
    public CommandLog(String topic, Map<String, String> kafka, RecordLimits limits) {
        this.topic = topic;
        Properties props = new Properties();
        // A caller waits on every append: when the cluster is gone, fail within seconds (the caller gets a 503)
        // instead of Kafka's two minutes. Overridable like every client property.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.putAll(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Every append is on a caller's critical path (an HTTP request, a finished call): send at once.
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.putAll(limits.producerProperties());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        partitions = producer.partitionsFor(topic).size();
        ownsProducer = true;
    }

    private CommandLog(String topic, KafkaProducer<String, byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
        this.partitions = producer.partitionsFor(topic).size();
        this.ownsProducer = false;
    }

    /**
     * The same producer appending to another topic (the ingress's requests topic beside the log the dispatcher
     * appends to). Under load one producer sends what both have ready in one request, where two would each send
     * their own, and one network thread is woken instead of two: the broker's produce requests and the producers'
     * wake-ups are a large part of a call's CPU (docs/performance.md). The view does not close the producer: close
     * it before this log.
     */
    public CommandLog to(String otherTopic) {
        return new CommandLog(otherTopic, producer);
    }

    /** Appends the command; the future completes once the log has it (acks=all). */
    public CompletableFuture<RecordMetadata> append(Command command) {
        long partitionKey = command.invocationId().partitionKey();
        String key = command.invocationId().toString();
        if (command instanceof Invoke invoke) {
            String routingKey = InvocationIds.routingKey(invoke.target(), invoke.idempotencyKey());
            key = routingKey != null ? routingKey : key;
        }
        return send(Routing.partition(partitionKey, partitions), key, command);
    }

    private CompletableFuture<RecordMetadata> send(int partition, String key, Command command) {
        CompletableFuture<RecordMetadata> appended = new CompletableFuture<>();
        // With tracing on, the span this command is part of (an ingress request, a dispatch attempt) goes with it as
        // a traceparent header, so the processor's span joins the same trace.
        producer.send(
                new ProducerRecord<>(topic, partition, null, key, Json.write(command), Tracing.recordHeaders()),
                (metadata, error) -> {
                    if (error != null) {
                        appended.completeExceptionally(error);
                    } else {
                        appended.complete(metadata);
                    }
                });
        return appended;
    }

    public int partitions() {
        return partitions;
    }

    /** The producer, for its metrics on {@code /metrics}: not to send with. */
    public Producer<String, byte[]> producerForMetrics() {
        return producer;
    }

    @Override
    public void close() {
        if (ownsProducer) {
            producer.close();
        }
    }
}
