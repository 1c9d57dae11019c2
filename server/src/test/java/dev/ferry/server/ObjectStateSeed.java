package dev.ferry.server;

import dev.ferry.processor.ObjectState;
import dev.ferry.processor.ProcessorTopology;
import dev.ferry.schemas.JsonSerde;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.journal.StateEntry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Virtual-object state for tests whose services are not written with an SDK (the example's): written, before the Ferry
 * under test starts, as a record on the processor's object-state changelog, which its store restores at start. The record
 * is the store's own serde's bytes under the store's own key ({@code service/key}), in the key's partition.
 */
final class ObjectStateSeed {
    /** Counter/mary's state as the tests expect to see it: a number, an object, and bytes that are not JSON. */
    static final List<StateEntry> MARY = List.of(
            new StateEntry(Payload.ofUtf8("count"), Payload.ofUtf8("42")),
            new StateEntry(Payload.ofUtf8("profile"), Payload.ofUtf8("{\"name\":\"Mary\",\"ratio\":1.10}")),
            new StateEntry(Payload.ofUtf8("blob"), Payload.of(new byte[] {(byte) 0xff, 0, 1})));

    private ObjectStateSeed() {}

    /** Creates the changelog (compacted, {@code partitions} as the Ferry's) and writes the key's state to it. */
    static void seed(Topics topics, int partitions, String service, String key, List<StateEntry> entries)
            throws Exception {
        String changelog = topics.processorApplicationId() + "-" + ProcessorTopology.OBJECT_STATES + "-changelog";
        Map<String, Object> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(changelog, partitions, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get();
        }
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(changelog, Routing.partition(key, partitions), service + "/" + key,
                    JsonSerde.of(ObjectState.class).serialize(changelog, new ObjectState(entries)))).get();
        }
    }
}
