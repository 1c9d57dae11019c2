package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.example.ExampleService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code compose.yaml} and the {@code Dockerfile}, checked against the server's real configuration where no Docker
 * engine can run them: every variable is one Ferry reads and parses, the roles and ports add up to the README
 * tour, and the health checks, volumes and commands exist.
 */
class ContainerFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final Set<String> FERRY_SERVICES =
            Set.of("processor-1", "processor-2", "ingress", "dispatcher-1", "dispatcher-2");

    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;
    private static List<String> dockerfile;
    /** The ENV of the Dockerfile's final stage: every container of the image starts with it. */
    private static Map<String, String> imageEnv;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        // SnakeYAML (what the server's YAML support is built on) resolves the file's anchors and merge keys.
        compose = new Yaml().load(Files.readString(ROOT.resolve("compose.yaml")));
        services = (Map<String, Map<String, Object>>) compose.get("services");
        dockerfile = instructions(Files.readString(ROOT.resolve("Dockerfile")));
        imageEnv = new LinkedHashMap<>();
        for (String instruction : finalStage()) {
            Matcher env = Pattern.compile("^ENV (\\w+)=(\\S+)$").matcher(instruction);
            if (env.matches()) {
                imageEnv.put(env.group(1), env.group(2));
            }
        }
    }

    @Test
    void composeRunsABrokerEveryRoleAndTheExample() {
        assertThat(services).containsOnlyKeys("kafka", "processor-1", "processor-2", "ingress", "dispatcher-1",
                "dispatcher-2", "example");
        Map<FerryConfig.Role, Integer> instances = new HashMap<>();
        for (String name : FERRY_SERVICES) {
            config(name).roles().forEach(role -> instances.merge(role, 1, Integer::sum));
            assertThat(services.get(name).get("build")).as(name + " is built from this repository").isEqualTo(".");
            assertThat(services.get(name).get("image")).as(name).isEqualTo("ferry:local");
        }
        assertThat(instances).as("one ingress, two processors, two dispatchers")
                .isEqualTo(Map.of(FerryConfig.Role.INGRESS, 1, FerryConfig.Role.PROCESSOR, 2,
                        FerryConfig.Role.DISPATCHER, 2));
        assertThat(services.get("example").get("image")).isEqualTo("ferry:local");
    }

    @Test
    void theBrokerIsKafkaInKRaftModeAndEveryRoleFindsIt() {
        Map<String, Object> kafka = services.get("kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        Map<String, String> env = environment("kafka");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env.get("KAFKA_CLUSTER_ID") == null ? env.get("CLUSTER_ID") : env.get("KAFKA_CLUSTER_ID"))
                .as("a base64 UUID").matches("[A-Za-z0-9_-]{22}");
        String advertised = env.get("KAFKA_ADVERTISED_LISTENERS").replaceFirst("^PLAINTEXT://", "");
        assertThat(advertised).isEqualTo("kafka:9092");
        assertThat(Integer.parseInt(env.get("KAFKA_MESSAGE_MAX_BYTES")))
                .as("records as large as the command log takes").isGreaterThanOrEqualTo(64 * 1024 * 1024);
        assertThat(volumeTargets("kafka")).containsExactly(env.get("KAFKA_LOG_DIRS"));
        for (String name : FERRY_SERVICES) {
            assertThat(config(name).kafkaBootstrapServers()).as(name).isEqualTo(advertised);
            assertThat(dependsOn(name)).as(name + " waits for a healthy broker")
                    .containsEntry("kafka", "service_healthy");
        }
    }

    @Test
    void everyVariableIsOneFerryReadsAndEveryValueParses() {
        Set<String> settings = new HashSet<>();
        for (Setting setting : Setting.values()) {
            settings.add(setting.env());
        }
        for (String name : FERRY_SERVICES) {
            for (String variable : effectiveEnvironment(name).keySet()) {
                boolean passThrough = variable.startsWith(FerryConfig.KAFKA_PREFIX)
                        || variable.startsWith(FerryConfig.STREAMS_PREFIX);
                assertThat(settings.contains(variable) || passThrough)
                        .as(name + ": " + variable + " is a setting of the server").isTrue();
            }
            config(name); // throws, naming the variable, when a value does not parse
        }
        assertThat(environment("example").keySet()).as("the example's own settings")
                .isSubsetOf(ExampleService.ENV_HOST, ExampleService.ENV_PORT, ExampleService.ENV_SIGNING_KEY);
        assertThat(imageEnv.keySet()).as("the image's ENV").isSubsetOf(settings);
    }

    @Test
    void theTourPortsArePublishedAndNoTwoProcessesInOneNetworkShareAPort() throws IOException {
        FerryConfig ingress = config("ingress");
        assertThat(services.get("ingress").get("ports")).isEqualTo(List.of(
                Setting.INGRESS_PORT.defaultValue() + ":" + ingress.ingressPort(),
                Setting.ADMIN_PORT.defaultValue() + ":" + ingress.adminPort()));

        // The dispatchers and the example live in the ingress's network namespace (the tour registers the
        // example as 127.0.0.1), so every listening port there must differ.
        List<Integer> ports = new ArrayList<>(List.of(ingress.ingressPort(), ingress.adminPort()));
        for (String name : List.of("dispatcher-1", "dispatcher-2", "example")) {
            assertThat(services.get(name).get("network_mode")).as(name).isEqualTo("service:ingress");
            assertThat(dependsOn(name)).as(name).containsKey("ingress");
        }
        ports.add(config("dispatcher-1").adminPort());
        ports.add(config("dispatcher-2").adminPort());
        int examplePort = Integer.parseInt(environment("example").get(ExampleService.ENV_PORT));
        ports.add(examplePort);
        assertThat(ports).doesNotHaveDuplicates();
        assertThat(environment("example").get(ExampleService.ENV_HOST)).isEqualTo("127.0.0.1");
        assertThat(Files.readString(ROOT.resolve("README.md")))
                .as("the tour registers the example where compose runs it")
                .contains("--json '{\"uri\":\"http://127.0.0.1:" + examplePort + "\"}'");
    }

    @Test
    void everyServiceHasAHealthCheckThatFerryAnswers() {
        for (String name : FERRY_SERVICES) {
            List<String> test = healthCheck(name);
            assertThat(test).as(name).startsWith("CMD", "java");
            assertThat(test).as(name).containsSubsequence("-jar", "/app/ferry.jar", "health");
            assertThat(test.get(test.size() - 1)).as(name + ": its own admin port's /health/ready, by default")
                    .isEqualTo("health");
        }
        List<String> example = healthCheck("example");
        assertThat(example).containsSubsequence("-jar", "/app/ferry.jar", "health");
        assertThat(example.get(example.size() - 1))
                .isEqualTo("http://127.0.0.1:" + environment("example").get(ExampleService.ENV_PORT) + "/discover");
        assertThat(String.join(" ", healthCheck("kafka"))).contains("kafka-broker-api-versions.sh");
    }

    @Test
    void stateLivesOnNamedVolumesOneProcessorEach() {
        @SuppressWarnings("unchecked")
        Set<String> declared = ((Map<String, Object>) compose.get("volumes")).keySet();
        String dataDir = imageEnv.get(Setting.DATA_DIR.env());
        Set<String> processorVolumes = new HashSet<>();
        for (String name : List.of("processor-1", "processor-2")) {
            assertThat(config(name).dataDir()).hasToString(dataDir);
            List<String> volumes = volumes(name);
            assertThat(volumes).as(name).hasSize(1);
            String[] parts = volumes.get(0).split(":");
            assertThat(parts[1]).as(name + " keeps its stores on the volume").isEqualTo(dataDir);
            processorVolumes.add(parts[0]);
        }
        assertThat(processorVolumes).as("a volume per processor").hasSize(2);
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            for (String volume : volumes(service.getKey())) {
                assertThat(declared).as(service.getKey()).contains(volume.split(":")[0]);
            }
        }
    }

    @Test
    void servicesRunCommandsOfTheImageAndStopGracefully() {
        assertThat(services.get("example").get("entrypoint")).as("the example's own jar, in the image")
                .isEqualTo(List.of("java", "-jar", "/app/example.jar"));
        assertThat(services.get("example")).doesNotContainKey("command");
        assertThat(Main.COMMANDS).contains("health").doesNotContain("example");
        Duration grace = Duration.parse("PT" + Setting.SHUTDOWN_GRACE.defaultValue().toUpperCase());
        for (String name : FERRY_SERVICES) {
            assertThat(services.get(name)).as(name).doesNotContainKey("command");
            String stop = (String) services.get(name).get("stop_grace_period");
            assertThat(Duration.parse("PT" + stop.toUpperCase())).as(name + " outlasts FERRY_SHUTDOWN_GRACE")
                    .isGreaterThan(grace);
        }
    }

    @Test
    void theDockerfileBuildsTheServerJarAndRunsItOnJava21() {
        List<String> froms = dockerfile.stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0)).matches("FROM eclipse-temurin:2[1-9]-jdk AS build");
        assertThat(froms.get(1)).matches("FROM eclipse-temurin:2[1-9]-jre");
        List<String> build = dockerfile.subList(0, dockerfile.indexOf(froms.get(1)));
        assertThat(build).anyMatch(i -> i.startsWith("RUN ") && i.contains("./mvnw") && i.contains("package"));

        List<String> runtime = finalStage();
        assertThat(runtime).contains("COPY --from=build /src/server/target/ferry.jar /app/ferry.jar",
                "COPY --from=build /src/server/target/lib/ /app/lib/",
                "COPY --from=build /src/example/target/ferry-example.jar /app/example.jar",
                "COPY --from=build /src/example/target/lib/ /app/lib/");
        assertThat(runtime).contains("EXPOSE " + Setting.INGRESS_PORT.defaultValue() + " "
                + Setting.ADMIN_PORT.defaultValue());
        assertThat(runtime).anyMatch(i -> i.startsWith("USER ") && !i.equals("USER root"));
        assertThat(runtime).contains("VOLUME [\"" + imageEnv.get(Setting.DATA_DIR.env()) + "\"]");
        String entrypoint = runtime.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertThat(entrypoint).startsWith("ENTRYPOINT [\"java\"").contains("\"-jar\", \"/app/ferry.jar\"]");
        String cmd = runtime.stream().filter(i -> i.startsWith("CMD ")).findFirst().orElseThrow();
        assertThat(Main.COMMANDS).contains(cmd.replaceAll("CMD \\[\"(\\w+)\"]", "$1"));
        String health = runtime.stream().filter(i -> i.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
        assertThat(health).contains("\"-jar\", \"/app/ferry.jar\", \"health\"]");
    }

    @Test
    void theBuildContextLeavesOutDataAndBuildOutput() throws IOException {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertThat(ignored).contains("data/", "**/target/", ".git");
    }

    // --- reading the files

    private static FerryConfig config(String service) {
        return FerryConfig.load(effectiveEnvironment(service));
    }

    /** What a container of the service sees: the image's ENV, then the service's environment. */
    private static Map<String, String> effectiveEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>(imageEnv);
        env.putAll(environment(service));
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String service) {
        Map<String, Object> env = (Map<String, Object>) services.get(service).getOrDefault("environment", Map.of());
        return env.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()),
                (a, b) -> b, LinkedHashMap::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> dependsOn(String service) {
        Map<String, Map<String, Object>> deps =
                (Map<String, Map<String, Object>>) services.get(service).getOrDefault("depends_on", Map.of());
        Map<String, String> conditions = new HashMap<>();
        deps.forEach((name, spec) -> conditions.put(name, String.valueOf(spec.get("condition"))));
        return conditions;
    }

    @SuppressWarnings("unchecked")
    private static List<String> healthCheck(String service) {
        Map<String, Object> check = (Map<String, Object>) services.get(service).get("healthcheck");
        assertThat(check).as(service + " has a health check").isNotNull();
        return (List<String>) check.get("test");
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(String service) {
        return (List<String>) services.get(service).getOrDefault("volumes", List.of());
    }

    private static List<String> volumeTargets(String service) {
        return volumes(service).stream().map(v -> v.split(":")[1]).toList();
    }

    private static List<String> finalStage() {
        int last = 0;
        for (int i = 0; i < dockerfile.size(); i++) {
            if (dockerfile.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return dockerfile.subList(last, dockerfile.size());
    }

    /** The Dockerfile's instructions, continuation lines joined, comments and the parser directive left out. */
    private static List<String> instructions(String text) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            instructions.add(current.toString().replaceAll("\\s+", " ").strip());
            current.setLength(0);
        }
        return instructions;
    }
}
