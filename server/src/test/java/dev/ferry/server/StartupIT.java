package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What Ferry checks when it starts. */
class StartupIT {
    @Test
    void aCommandLogWithAnotherPartitionCountIsAClearStartupError() throws Exception {
        String prefix;
        try (FerryHarness first = FerryHarness.onSharedKafka().with("FERRY_PARTITIONS", "4").start()) {
            prefix = first.env.get("FERRY_TOPIC_PREFIX");
            assertThat(first.admin().get("/health").status()).isEqualTo(200);
        }
        try (FerryHarness second = FerryHarness.onSharedKafka()
                .with("FERRY_TOPIC_PREFIX", prefix).with("FERRY_PARTITIONS", "6")) {
            assertThatThrownBy(second::start)
                    .isInstanceOf(FerryConfig.InvalidConfig.class)
                    .hasMessageContaining("topic " + prefix + "log has 4 partitions but FERRY_PARTITIONS is 6")
                    .hasMessageContaining("set FERRY_PARTITIONS=4");
        }
    }
}
