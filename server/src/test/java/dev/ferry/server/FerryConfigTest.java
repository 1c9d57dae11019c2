package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schemas.dispatch.RequestSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryConfigTest {
    @Test
    void defaultsRunEveryRoleOnAnEmbeddedBroker() {
        FerryConfig config = FerryConfig.load(Map.of());
        assertThat(config.roles()).isEqualTo(EnumSet.allOf(FerryConfig.Role.class));
        assertThat(config.embeddedKafka()).isTrue();
        assertThat(config.ingressPort()).isEqualTo(8080);
        assertThat(config.adminPort()).isEqualTo(9070);
        assertThat(config.partitions()).as("unset: the existing topics' count, or the default").isNull();
        assertThat(config.defaultPartitions()).isEqualTo(2);
        assertThat(config.topics().log()).isEqualTo("ferry.log");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.serviceDefaults().retryPolicy().maxAttempts()).isEqualTo(70);
        assertThat(config.serviceDefaults().idempotencyRetention()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void environmentVariablesSetRolesPortsAndKafka() {
        FerryConfig config = FerryConfig.load(Map.of(
                "FERRY_ROLES", "processor, dispatcher",
                "FERRY_INGRESS_PORT", "18080",
                "FERRY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "FERRY_RETRY_MAX_ATTEMPTS", "5",
                "FERRY_DISPATCH_LEASE", "PT30S"));
        assertThat(config.roles()).containsExactlyInAnyOrder(FerryConfig.Role.PROCESSOR, FerryConfig.Role.DISPATCHER);
        assertThat(config.ingressPort()).isEqualTo(18080);
        assertThat(config.kafkaBootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.embeddedKafka()).isFalse();
        assertThat(config.defaultPartitions()).as("new topics on a cluster, FERRY_PARTITIONS unset").isEqualTo(12);
        assertThat(config.serviceDefaults().retryPolicy().maxAttempts()).isEqualTo(5);
        assertThat(config.dispatchLease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theStateStoresMemoryIsBoundedByDefaultAndSetByItsVariable() {
        assertThat(FerryConfig.load(Map.of()).storeMemoryBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(FerryConfig.load(Map.of("FERRY_STORE_MEMORY", "268435456")).storeMemoryBytes())
                .isEqualTo(256L * 1024 * 1024);
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_STORE_MEMORY", "0")))
                .isInstanceOf(FerryConfig.InvalidConfig.class).hasMessageContaining("FERRY_STORE_MEMORY");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_STORE_MEMORY", "64m")))
                .isInstanceOf(FerryConfig.InvalidConfig.class).hasMessageContaining("a positive number of bytes");
    }

    @Test
    void theProcessorLingersOnlyWhereItsOutputsAreReadInItsOwnProcess() {
        // Every role on the embedded broker: the dispatcher and the ingress take dispatches and replies in memory.
        assertThat(FerryConfig.load(Map.of()).processorLinger()).isEqualTo(Duration.ofMillis(5));
        // Another process may read them: they are a call's next hop.
        assertThat(FerryConfig.load(Map.of("FERRY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")).processorLinger())
                .isZero();
        assertThat(FerryConfig.load(Map.of("FERRY_ROLES", "processor")).processorLinger()).isZero();
        assertThat(FerryConfig.load(Map.of("FERRY_ROLES", "processor,dispatcher")).processorLinger()).isZero();
        // Set, it wins either way.
        assertThat(FerryConfig.load(Map.of("FERRY_PROCESSOR_LINGER", "0")).processorLinger()).isZero();
        assertThat(FerryConfig.load(Map.of("FERRY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "FERRY_PROCESSOR_LINGER", "2ms")).processorLinger()).isEqualTo(Duration.ofMillis(2));
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_PROCESSOR_LINGER", "soon")))
                .isInstanceOf(FerryConfig.InvalidConfig.class).hasMessageContaining("FERRY_PROCESSOR_LINGER");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_PROCESSOR_LINGER", "-5ms")))
                .isInstanceOf(FerryConfig.InvalidConfig.class).hasMessageContaining("FERRY_PROCESSOR_LINGER");
        // Kafka's linger.ms is an int: it would refuse this only as the processor starts, in its own words.
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_PROCESSOR_LINGER", "100d")))
                .isInstanceOf(FerryConfig.InvalidConfig.class).hasMessageContaining("FERRY_PROCESSOR_LINGER")
                .hasMessageContaining("under 24 days");
    }

    @Test
    void kafkaAndStreamsPropertiesPassThroughWithTheirPrefixes() {
        FerryConfig config = FerryConfig.load(Map.of(
                "FERRY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "FERRY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "FERRY_STREAMS_NUM_STREAM_THREADS", "2"));
        assertThat(config.kafka()).containsExactlyEntriesOf(Map.of("security.protocol", "SASL_SSL"));
        assertThat(config.streams()).containsExactlyEntriesOf(Map.of("num.stream.threads", "2"));
    }

    @Test
    void aKafkaPropertiesFileConfiguresEveryClientAndTheVariablesWinOverIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # as kafka-topics.sh --command-config takes it
                bootstrap.servers=kafka-1:9093
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\
                  username="ferry" password="s3cret";
                """);
        FerryConfig config = FerryConfig.load(Map.of(
                "FERRY_KAFKA_PROPERTIES_FILE", file.toString(),
                "FERRY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));

        assertThat(config.kafkaBootstrapServers()).as("the file's, as no variable names one").isEqualTo("kafka-1:9093");
        assertThat(config.kafka()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"ferry\""
                                + " password=\"s3cret\";")
                .doesNotContainKey("properties.file");
        assertThat(config.toString()).as("a configuration can be logged").contains("sasl.jaas.config")
                .doesNotContain("s3cret");
        assertThat(FerryConfig.load(Map.of("FERRY_KAFKA_PROPERTIES_FILE", file.toString(),
                "FERRY_KAFKA_BOOTSTRAP_SERVERS", "kafka-2:9093")).kafkaBootstrapServers()).isEqualTo("kafka-2:9093");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_KAFKA_PROPERTIES_FILE", dir.resolve("missing").toString())))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageContaining("FERRY_KAFKA_PROPERTIES_FILE: cannot read the Kafka client properties file");
    }

    @Test
    void aYamlFileMirrorsTheVariablesAndTheEnvironmentWins(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ferry.yaml");
        Files.writeString(file, """
                ingress_port: 18080
                admin_port: 19070
                partitions: 6
                kafka:
                  security.protocol: SSL
                streams:
                  num.stream.threads: 3
                """);
        FerryConfig config = FerryConfig.load(Map.of("FERRY_CONFIG_FILE", file.toString(), "FERRY_ADMIN_PORT", "29070"));
        assertThat(config.ingressPort()).isEqualTo(18080);
        assertThat(config.adminPort()).isEqualTo(29070);
        assertThat(config.partitions()).isEqualTo(6);
        assertThat(config.kafka()).containsEntry("security.protocol", "SSL");
        assertThat(config.streams()).containsEntry("num.stream.threads", "3");
    }

    @Test
    void anUnusableValueNamesTheVariableAndWhatIsExpected() {
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_PARTITIONS", "many")))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessage("FERRY_PARTITIONS='many' is not valid: expected a whole number");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_ROLES", "ingress,cook")))
                .hasMessageContaining("FERRY_ROLES='ingress,cook' is not valid");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_DISPATCH_LEASE", "soon")))
                .hasMessageContaining("FERRY_DISPATCH_LEASE='soon' is not valid: expected a duration");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_INGRESS_PORT", "70000")))
                .hasMessageContaining("a port from 0 to 65535");
    }

    @Test
    void aSigningKeyShorterThanARegistrationsMinimumIsRefusedWithoutRepeatingIt() {
        String shortKey = "x".repeat(RequestSignature.MIN_KEY_LENGTH - 1);
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_SIGNING_KEY", shortKey)))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessage("FERRY_SIGNING_KEY must have at least 16 characters (unset it to sign no requests)")
                .message().doesNotContain(shortKey);

        String longEnough = "y".repeat(RequestSignature.MIN_KEY_LENGTH);
        assertThat(FerryConfig.load(Map.of("FERRY_SIGNING_KEY", longEnough)).signingKey()).isEqualTo(longEnough);
        assertThat(FerryConfig.load(Map.of()).signingKey()).as("unset: nothing is signed").isNull();
        assertThat(FerryConfig.load(Map.of("FERRY_SIGNING_KEY", "  ")).signingKey()).isNull();
    }

    @Test
    void aDurationBeyondTheLargestFerryAcceptsIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_INACTIVITY_TIMEOUT", "106751991167d")))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageContaining("FERRY_INACTIVITY_TIMEOUT='106751991167d' is not valid")
                .hasMessageContaining("longer than 36500d");
        assertThat(FerryConfig.load(Map.of("FERRY_IDEMPOTENCY_RETENTION", "365d")).serviceDefaults()
                .idempotencyRetention()).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void adminAllowedOriginsAreOriginsOrAStar() {
        assertThat(FerryConfig.load(Map.of()).adminAllowedOrigins()).isEmpty();
        assertThat(FerryConfig.load(Map.of("FERRY_ADMIN_ALLOWED_ORIGINS", " https://ops.example.com , *"))
                .adminAllowedOrigins()).containsExactly("https://ops.example.com", "*");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_ADMIN_ALLOWED_ORIGINS", "ops.example.com/ui")))
                .isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageContaining("FERRY_ADMIN_ALLOWED_ORIGINS='ops.example.com/ui' is not valid");
    }

    @Test
    void anUnknownSettingInTheFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ferry.yaml");
        Files.writeString(file, "ingres_port: 8080\n");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_CONFIG_FILE", file.toString())))
                .hasMessageContaining("unknown setting 'ingres_port'");
    }

    @Test
    void aMaxBodySizeBeyondWhatRecordsCanCarryIsRefusedAndTheLimitsFollowFromIt() {
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_MAX_BODY_SIZE", "268435457")))
                .hasMessageContaining("FERRY_MAX_BODY_SIZE='268435457' is not valid: expected a number of bytes from 1"
                        + " to 268435456");
        assertThat(FerryConfig.load(Map.of("FERRY_MAX_BODY_SIZE", "1048576")).recordLimits().recordBytes())
                .isEqualTo(6 * 1024 * 1024);
    }

    @Test
    void thePublicIngressUrlIsAnAbsoluteHttpUrlKeptWithoutItsTrailingSlash() {
        assertThat(FerryConfig.load(Map.of()).publicIngressUrl()).isNull();
        assertThat(FerryConfig.load(Map.of("FERRY_PUBLIC_INGRESS_URL", "https://api.example.com/ferry/"))
                .publicIngressUrl()).isEqualTo("https://api.example.com/ferry");
        for (String invalid : new String[] {"api.example.com", "ftp://api.example.com", "https://x.example/?a=1"}) {
            assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_PUBLIC_INGRESS_URL", invalid)))
                    .isInstanceOf(FerryConfig.InvalidConfig.class)
                    .hasMessageContaining("FERRY_PUBLIC_INGRESS_URL='" + invalid + "' is not valid");
        }
    }

    @Test
    void theCompilerNicenessIsANiceValueFromZeroTo19() {
        assertThat(FerryConfig.load(Map.of()).compilerNiceness()).isZero();
        assertThat(FerryConfig.load(Map.of("FERRY_COMPILER_NICENESS", "10")).compilerNiceness()).isEqualTo(10);
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_COMPILER_NICENESS", "20")))
                .hasMessage("FERRY_COMPILER_NICENESS='20' is not valid: expected a whole number from 0 to 19");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_COMPILER_NICENESS", "-1")))
                .hasMessage("FERRY_COMPILER_NICENESS='-1' is not valid: expected a whole number from 0 to 19");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_COMPILER_NICENESS", "ten")))
                .hasMessage("FERRY_COMPILER_NICENESS='ten' is not valid: expected a whole number");
    }

    @Test
    void theLogFormatAndLevelAreCheckedAtStart() {
        FerryConfig defaults = FerryConfig.load(Map.of());
        assertThat(defaults.logFormat()).isEqualTo(FerryConfig.LogFormat.TEXT);
        assertThat(defaults.logLevel()).isEqualTo("INFO");
        FerryConfig chosen = FerryConfig.load(Map.of("FERRY_LOG_FORMAT", "JSON", "FERRY_LOG_LEVEL", "debug"));
        assertThat(chosen.logFormat()).isEqualTo(FerryConfig.LogFormat.JSON);
        assertThat(chosen.logLevel()).isEqualTo("DEBUG");

        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_LOG_FORMAT", "xml")))
                .hasMessage("FERRY_LOG_FORMAT='xml' is not valid: expected text or json");
        assertThatThrownBy(() -> FerryConfig.load(Map.of("FERRY_LOG_LEVEL", "verbose")))
                .hasMessage("FERRY_LOG_LEVEL='verbose' is not valid: expected TRACE, DEBUG, INFO, WARN, ERROR");
    }

    @Test
    void theReadmeDocumentsEverySetting() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Setting setting : Setting.values()) {
            assertThat(readme).as(setting.env()).contains("`" + setting.env() + "`");
        }
    }
}
