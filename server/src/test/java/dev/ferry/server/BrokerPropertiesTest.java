package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.RecordLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerPropertiesTest {

    @Test
    void aPartitionNewInATransactionRightAfterACommitIsAskedForAgainWithinAMillisecond() {
        // Kafka's default, 20 ms, held the processor's first dispatch and first reply after every commit that long.
        Map<String, String> broker = BrokerProperties.of(1, 9092, 9093, BrokerProperties.voters(List.of(9093)),
                Path.of("logs"), BrokerProperties.Replication.SINGLE_NODE, 1, RecordLimits.DEFAULT);

        assertThat(broker).containsEntry("add.partitions.to.txn.retry.backoff.ms", "1");
    }
}
