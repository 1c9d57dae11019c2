package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.schemas.RecordLimits;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Ferry on a secured cluster: a broker with a SASL listener (PLAIN and SCRAM) and an authorizer that grants Ferry's principal
 * exactly the ACLs docs/operations.md lists, and Kafka's own 1 MiB {@code message.max.bytes}. Ferry connects with a
 * client properties file, serves invocations up to its body limit, and names what is wrong at once when its
 * credentials or ACLs are.
 */
class SecuredKafkaIT {
    private static final Path OPERATIONS_DOC = Path.of("..", "docs", "operations.md");
    /** Larger than the broker's default message.max.bytes, so only the topics' own limits let such a body through. */
    private static final int LIMIT = 1024 * 1024;
    private static final String PASSWORD = "secret-" + UUID.randomUUID();
    private static final Duration QUICK_FAILURE = Duration.ofSeconds(20);
    private static EmbeddedKafka kafka;
    private static String saslBootstrapServers;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        int plain = freePort();
        int sasl = freePort();
        int controller = freePort();
        saslBootstrapServers = BrokerProperties.HOST + ":" + sasl;
        // PLAINTEXT (the controller, the broker itself and this test's admin) is the super user; Ferry comes in on
        // SASL_PLAINTEXT as User:ferry, or as User:nobody, who has no ACLs.
        kafka = EmbeddedKafka.start(Files.createTempDirectory("ferry-secured-kafka"), plain, controller,
                RecordLimits.ofMaxBodyBytes(LIMIT), Map.of(
                        "listeners", "PLAINTEXT://" + BrokerProperties.HOST + ":" + plain + ",SASL_PLAINTEXT://"
                                + saslBootstrapServers + "," + BrokerProperties.CONTROLLER_LISTENER + "://"
                                + BrokerProperties.HOST + ":" + controller,
                        "advertised.listeners", "PLAINTEXT://" + BrokerProperties.HOST + ":" + plain
                                + ",SASL_PLAINTEXT://" + saslBootstrapServers,
                        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,"
                                + BrokerProperties.CONTROLLER_LISTENER + ":PLAINTEXT",
                        "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512",
                        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_ferry=\"" + PASSWORD
                                + "\";",
                        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "authorizer.class.name", StandardAuthorizer.class.getName(),
                        "super.users", "User:ANONYMOUS",
                        "message.max.bytes", "1048588", // Kafka's default
                        // Room for every request Ferry's producers send (max.request.size), but less than Ferry asks
                        // of a broker, so that it warns.
                        "socket.request.max.bytes", Integer.toString(
                                RecordLimits.ofMaxBodyBytes(LIMIT).deadLetterRecordBytes() + 512 * 1024)));
        try (Admin admin = superUser()) {
            admin.createAcls(documentedAcls()).all().get();
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("nobody",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void withAPropertiesFileAndTheDocumentedAclsFerryServesBodiesUpToItsLimitAndLogsNoSecret() throws Exception {
        Path properties = Files.createTempFile("ferry-kafka", ".properties");
        Files.writeString(properties, """
                security.protocol=SASL_PLAINTEXT
                sasl.mechanism=PLAIN
                sasl.jaas.config=%s
                """.formatted(jaas("ferry", PASSWORD)));
        List<String> logged = new ArrayList<>();
        try (FerryHarness ferry = logged(logged, () -> FerryHarness.onKafka(saslBootstrapServers)
                .with("FERRY_KAFKA_PROPERTIES_FILE", properties.toString())
                .with("FERRY_MAX_BODY_SIZE", Integer.toString(LIMIT))
                .start())) {
            ferry.registerExample();

            Http.Response greeting = ferry.ingress().postJson("/Greeter/greet", "{\"name\":\"Mary\"}");
            assertThat(greeting.status()).as(greeting::toString).isEqualTo(200);
            assertThat(greeting.body()).contains("Hello Mary");

            byte[] atLimit = jsonStringOf(LIMIT);
            Http.Response echoed = ferry.ingress().post("/Greeter/noop", atLimit, "content-type", "application/json");
            assertThat(echoed.status()).as(echoed::toString).isEqualTo(200);
            assertThat(echoed.raw().body()).isEqualTo(atLimit);

            Http.Response over = ferry.ingress().postExpectingContinue("/Greeter/noop", jsonStringOf(LIMIT + 1),
                    "content-type", "application/json");
            assertThat(over.status()).isEqualTo(413);

            assertEveryNameFerryUsesIsDocumented();
        }
        assertThat(logged).as("Kafka's clients and Ferry logged the start")
                .anyMatch(line -> line.contains("sasl.jaas.config = [hidden]"))
                .noneMatch(line -> line.contains(PASSWORD))
                .anyMatch(line -> line.contains("(socket.request.max.bytes), but a body of FERRY_MAX_BODY_SIZE="
                        + LIMIT + " makes produce requests up to " + RecordLimits.ofMaxBodyBytes(LIMIT)
                        .produceRequestBytes() + ": bodies over "));
    }

    @Test
    void wrongCredentialsStopTheStartAtOnceSayingSoWithoutTheSecret() {
        String wrong = "wrong-" + PASSWORD;
        FerryHarness ferry = FerryHarness.onKafka(saslBootstrapServers)
                .with("FERRY_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                .with("FERRY_KAFKA_SASL_MECHANISM", "PLAIN")
                .with("FERRY_KAFKA_SASL_JAAS_CONFIG", jaas("ferry", wrong));
        long started = System.nanoTime();

        assertThatThrownBy(ferry::start).isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageContaining("Kafka at " + saslBootstrapServers + " refused Ferry's credentials")
                .hasMessageContaining("Invalid username or password")
                .message().doesNotContain(wrong);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(QUICK_FAILURE);
        ferry.close();
    }

    /** Signed in with SASL/SCRAM (so it works too), but with none of the ACLs. */
    @Test
    void aPrincipalWithoutTheAclsStopsTheStartAtOnceNamingWhatWasDenied() {
        FerryHarness ferry = FerryHarness.onKafka(saslBootstrapServers)
                .with("FERRY_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                .with("FERRY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .with("FERRY_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule"
                        + " required username=\"nobody\" password=\"" + PASSWORD + "\";");
        long started = System.nanoTime();

        assertThatThrownBy(ferry::start).isInstanceOf(FerryConfig.InvalidConfig.class)
                .hasMessageContaining("Kafka at " + saslBootstrapServers + " denied Ferry an operation it needs")
                .hasMessageContaining("Grant the ACLs docs/operations.md lists for the prefix ferry.");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(QUICK_FAILURE);
        ferry.close();
    }

    /** Topics, consumer groups and transactional ids Ferry made on the broker are the ones the operations doc names. */
    private static void assertEveryNameFerryUsesIsDocumented() throws Exception {
        String doc = Files.readString(OPERATIONS_DOC);
        try (Admin admin = superUser()) {
            List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith("ferry."))
                    .sorted().toList();
            assertThat(topics).as("Ferry's topics and the processor's changelogs").hasSizeGreaterThan(8)
                    .allSatisfy(topic -> assertThat(doc).contains("`" + topic + "`"));
            List<String> groups = admin.listGroups().all().get().stream().map(GroupListing::groupId).toList();
            assertThat(groups).contains("ferry.processor", "ferry.dispatchers")
                    .allSatisfy(group -> assertThat(doc).contains("group `" + group + "`"));
            List<String> transactionalIds = admin.listTransactions().all().get().stream()
                    .map(TransactionListing::transactionalId).toList();
            assertThat(transactionalIds).isNotEmpty().allMatch(id -> id.startsWith("ferry.processor-"));
            assertThat(doc).contains("transactional ids `ferry.processor-<process uuid>-<thread>`");
        }
    }

    /** The {@code kafka-acls.sh --add} commands of docs/operations.md, as the bindings they create. */
    private static List<AclBinding> documentedAcls() throws IOException {
        String doc = Files.readString(OPERATIONS_DOC).replace("\\\n", " ");
        List<AclBinding> bindings = new ArrayList<>();
        for (String line : doc.split("\n")) {
            List<String> words = Arrays.asList(line.strip().split("\\s+"));
            if (!words.getFirst().equals("kafka-acls.sh") || !words.contains("--add")) {
                continue;
            }
            String principal = after(words, "--allow-principal");
            PatternType patternType = words.contains("--resource-pattern-type")
                    ? PatternType.valueOf(after(words, "--resource-pattern-type").toUpperCase(Locale.ROOT)) : PatternType.LITERAL;
            ResourcePattern resource;
            if (words.contains("--topic")) {
                resource = new ResourcePattern(ResourceType.TOPIC, after(words, "--topic"), patternType);
            } else if (words.contains("--group")) {
                resource = new ResourcePattern(ResourceType.GROUP, after(words, "--group"), patternType);
            } else if (words.contains("--transactional-id")) {
                resource = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, after(words, "--transactional-id"),
                        patternType);
            } else if (words.contains("--cluster")) {
                resource = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
            } else {
                throw new IllegalArgumentException("no resource this test knows in: " + line);
            }
            for (int i = 0; i < words.size(); i++) {
                if (words.get(i).equals("--operation")) {
                    bindings.add(new AclBinding(resource, new AccessControlEntry(principal, "*",
                            SecurityUtils.operation(words.get(i + 1)), AclPermissionType.ALLOW)));
                }
            }
        }
        assertThat(bindings).as("the ACLs of docs/operations.md").hasSizeGreaterThanOrEqualTo(10);
        return bindings;
    }

    private static String after(List<String> words, String option) {
        return words.get(words.indexOf(option) + 1);
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static Admin superUser() {
        return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    /**
     * Runs {@code action} with every log line copied into {@code lines}, Kafka's clients and Kafka Streams at INFO,
     * where they print their configuration ({@code AbstractConfig}).
     */
    private static <T> T logged(List<String> lines, Callable<T> action) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Logger> clients = Stream.of("org.apache.kafka.common.config", "org.apache.kafka.clients",
                "org.apache.kafka.streams").map(name -> (Logger) LoggerFactory.getLogger(name)).toList();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        clients.forEach(logger -> logger.setLevel(Level.INFO));
        try {
            return action.call();
        } finally {
            clients.forEach(logger -> logger.setLevel(null)); // inherits again
            root.detachAppender(appender);
            for (ILoggingEvent event : appender.list) {
                lines.add(event.getFormattedMessage());
                for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                    lines.add(String.valueOf(thrown.getMessage()));
                }
            }
        }
    }

    /** A JSON string of {@code size} bytes, quotes included. */
    private static byte[] jsonStringOf(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        bytes[0] = '"';
        bytes[size - 1] = '"';
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
