package dev.ferry.registry;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.Subscription;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes the deployments topic: one record per deployment, a tombstone to remove one. */
public final class RegistryWriter implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public RegistryWriter(String topic, Map<String, String> kafka) {
        this.topic = topic;
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes the deployment; returns the offset just past its record, for {@link RegistryView#awaitApplied}. */
    public long put(Deployment deployment) throws ExecutionException, InterruptedException {
        return producer.send(new ProducerRecord<>(topic, 0, deployment.id(), Json.write(deployment))).get().offset() + 1;
    }

    /** Writes a service's operator settings; returns the offset just past the record. */
    public long put(ServiceOverrides overrides) throws ExecutionException, InterruptedException {
        return producer.send(new ProducerRecord<>(topic, 0, overrides.key(), Json.write(overrides))).get().offset() + 1;
    }

    public long put(Subscription subscription) throws ExecutionException, InterruptedException {
        return producer.send(new ProducerRecord<>(topic, 0, subscription.id(), Json.write(subscription))).get()
                .offset() + 1;
    }

    /** Removes the deployment or subscription with this id (or the overrides with this key). */
    public long remove(String key) throws ExecutionException, InterruptedException {
        return producer.send(new ProducerRecord<>(topic, 0, key, (byte[]) null)).get().offset() + 1;
    }

    @Override
    public void close() {
        producer.close();
    }
}
