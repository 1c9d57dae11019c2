package dev.ferry.processor;

import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

/** What the tests that run the processor's topology in Kafka Streams' test driver share. */
final class TestDrivers {
    private TestDrivers() {}

    /** The processor's application id, no broker, and the stores in {@code stateDir}. */
    static Properties props(Topics topics, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.processorApplicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    /** As {@link #props(Topics, Path)}, with the stores in a new temporary directory named for the test. */
    static Properties props(Topics topics, String test) {
        try {
            return props(topics, Files.createTempDirectory("ferry-" + test + "-test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The state machine's view of the driver's stores, as the processor builds it for a task. */
    static StoreBackedState storeBackedState(TopologyTestDriver driver) {
        return new StoreBackedState(driver.getKeyValueStore(ProcessorTopology.INVOCATIONS),
                driver.getKeyValueStore(ProcessorTopology.INPUTS), driver.getKeyValueStore(ProcessorTopology.TIMERS),
                driver.getKeyValueStore(ProcessorTopology.INBOXES),
                driver.getKeyValueStore(ProcessorTopology.INBOX_ENTRIES),
                driver.getKeyValueStore(ProcessorTopology.INVOCATIONS_BY_TIME),
                driver.getKeyValueStore(ProcessorTopology.JOURNALS),
                driver.getKeyValueStore(ProcessorTopology.OBJECT_STATES),
                driver.getKeyValueStore(ProcessorTopology.PROMISES));
    }
}
