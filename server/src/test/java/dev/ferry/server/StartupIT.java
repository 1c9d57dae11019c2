package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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

    @Test
    void unsetPartitionsTakeTheCountOfTheExistingTopics() throws Exception {
        String prefix;
        try (FerryHarness first = FerryHarness.onSharedKafka().with("FERRY_PARTITIONS", "6").start()) {
            prefix = first.env.get("FERRY_TOPIC_PREFIX");
        }
        FerryHarness unset = FerryHarness.onSharedKafka().with("FERRY_TOPIC_PREFIX", prefix);
        unset.env.remove("FERRY_PARTITIONS");
        try (FerryHarness second = unset.start()) {
            second.registerExample();
            Http.Response greeted = second.ingress().postJson("/Greeter/greet", "{\"name\":\"Mary\"}");

            assertThat(greeted.status()).as(greeted.toString()).isEqualTo(200);
            assertThat(greeted.body()).contains("Mary");
            assertThat(partitions(prefix + "log")).isEqualTo(6);
            assertThat(partitions(prefix + "dispatch")).isEqualTo(6);
        }
    }

    @Test
    void unsetPartitionsOnAKafkaClusterCreateTwelve() throws Exception {
        FerryHarness unset = FerryHarness.onSharedKafka();
        unset.env.remove("FERRY_PARTITIONS");
        try (FerryHarness ferry = unset.start()) {
            String prefix = ferry.env.get("FERRY_TOPIC_PREFIX");

            assertThat(partitions(prefix + "log")).isEqualTo(12);
            assertThat(partitions(prefix + "requests")).isEqualTo(12);
            assertThat(partitions(prefix + "replies")).isEqualTo(12);
        }
    }

    private static int partitions(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        }
    }
}
