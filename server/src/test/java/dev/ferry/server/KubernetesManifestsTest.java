package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.admin.AdminRoutes;
import dev.ferry.admin.AdminServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/kubernetes/}, checked offline against the server: the kustomization lists every manifest, each
 * workload runs the roles it is named after with settings Ferry reads and parses, its probes ask paths the admin
 * port serves (past the admin token), and its ports, Services and volumes agree with those settings.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final String KUSTOMIZATION = "kustomization.yaml";

    private static Map<String, Object> kustomization;
    /** Every object of every manifest, by "Kind/name". */
    private static final Map<String, Map<String, Object>> objects = new LinkedHashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        kustomization = new Yaml().load(Files.readString(DIR.resolve(KUSTOMIZATION)));
        for (String file : (List<String>) kustomization.get("resources")) {
            for (Object document : new Yaml().loadAll(Files.readString(DIR.resolve(file)))) {
                Map<String, Object> object = (Map<String, Object>) document;
                String key = object.get("kind") + "/" + map(object, "metadata").get("name");
                assertThat(objects.put(key, object)).as(key + " is defined once").isNull();
            }
        }
    }

    @Test
    void theKustomizationListsEveryManifestAndTheyHoldFerrysRolesServicesConfigAndSecret() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> !name.equals(KUSTOMIZATION)))
                    .containsExactlyInAnyOrderElementsOf(list(kustomization, "resources"));
        }
        assertThat(objects.keySet()).containsExactlyInAnyOrder(
                "ConfigMap/ferry-config", "Secret/ferry-credentials",
                "StatefulSet/ferry-processor", "Service/ferry-processor",
                "Deployment/ferry-dispatcher",
                "Deployment/ferry-ingress", "Service/ferry-ingress", "Service/ferry-admin");
        objects.forEach((key, object) -> assertThat(object.get("apiVersion")).as(key)
                .isEqualTo(Set.of("Deployment", "StatefulSet").contains(object.get("kind")) ? "apps/v1" : "v1"));
    }

    @Test
    void everyVariableIsASettingEveryValueParsesAndEachWorkloadRunsItsRoleOnTheConfiguredKafka() {
        Set<String> settings = Stream.of(Setting.values()).map(Setting::env).collect(Collectors.toSet());
        Map<String, FerryConfig.Role> roles = Map.of(
                "StatefulSet/ferry-processor", FerryConfig.Role.PROCESSOR,
                "Deployment/ferry-dispatcher", FerryConfig.Role.DISPATCHER,
                "Deployment/ferry-ingress", FerryConfig.Role.INGRESS);
        assertThat(workloads()).containsOnlyKeys(roles.keySet());
        workloads().forEach((key, workload) -> {
            Map<String, String> env = environment(workload);
            for (String variable : env.keySet()) {
                assertThat(settings.contains(variable) || variable.startsWith(FerryConfig.KAFKA_PREFIX)
                        || variable.startsWith(FerryConfig.STREAMS_PREFIX))
                        .as(key + ": " + variable + " is a setting of the server").isTrue();
            }
            FerryConfig config = FerryConfig.load(env); // throws, naming the variable, when a value does not parse
            assertThat(config.roles()).as(key).containsExactly(roles.get(key));
            assertThat(config.embeddedKafka()).as(key + " joins the cluster, never an embedded broker").isFalse();
            assertThat(config.kafka()).as(key).containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config");
            assertThat(((Number) podSpec(workload).get("terminationGracePeriodSeconds")).longValue())
                    .as(key + ": time to drain open calls and close").isGreaterThan(config.shutdownGrace().toSeconds());
        });
    }

    @Test
    void probesAskPathsTheAdminPortServesWithoutTheAdminToken() throws Exception {
        Map<String, String> env = environment(workloads().get("Deployment/ferry-ingress"));
        FerryConfig config = FerryConfig.load(env);
        assertThat(config.adminToken()).as("the Secret sets one").isNotNull();
        // No Kafka here: the readiness check's client gives up at once, so closing it does not wait.
        try (Readiness readiness = new Readiness(Map.of("bootstrap.servers", "127.0.0.1:1",
                        "default.api.timeout.ms", "200", "request.timeout.ms", "200"));
                AdminServer admin = new AdminServer("127.0.0.1", 0, config.maxBodyBytes(), List.of(),
                        config.adminToken(), new AdminRoutes(
                                new OpsRoutes(readiness, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)), null))
                        .start();
                HttpClient http = HttpClient.newHttpClient()) {
            workloads().forEach((key, workload) -> {
                Map<String, Object> container = container(workload);
                assertThat(path(container, "readinessProbe")).as(key).isEqualTo("/health/ready");
                assertThat(path(container, "livenessProbe")).as(key).isEqualTo("/health");
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    if (container.get(probe) == null) {
                        continue;
                    }
                    assertThat(status(http, admin.port(), path(container, probe))).as(key + " " + probe)
                            .isIn(200, 503); // 503: not ready, as here, with no Kafka to answer
                    Object port = map(map(container, probe), "httpGet").get("port");
                    assertThat(containerPort(container, port)).as(key + " " + probe + " asks the admin port")
                            .isEqualTo(FerryConfig.load(environment(workload)).adminPort());
                }
            });
        }
    }

    @Test
    void containerPortsAreTheConfiguredOnesAndServicesReachThem() {
        workloads().forEach((key, workload) -> {
            FerryConfig config = FerryConfig.load(environment(workload));
            Map<String, Integer> expected = new HashMap<>(Map.of("admin", config.adminPort()));
            if (config.has(FerryConfig.Role.INGRESS)) {
                expected.put("http", config.ingressPort());
            }
            Map<String, Integer> ports = new HashMap<>();
            for (Map<String, Object> port : maps(container(workload), "ports")) {
                ports.put((String) port.get("name"), ((Number) port.get("containerPort")).intValue());
            }
            assertThat(ports).as(key).isEqualTo(expected);
        });
        objects.forEach((key, service) -> {
            if (!service.get("kind").equals("Service")) {
                return;
            }
            Map<String, Object> selector = map(map(service, "spec"), "selector");
            List<Map<String, Object>> selected = workloads().values().stream()
                    .filter(workload -> map(map(map(map(workload, "spec"), "template"), "metadata"), "labels")
                            .entrySet().containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as(key + " selects one workload's pods").hasSize(1);
            for (Map<String, Object> port : maps(map(service, "spec"), "ports")) {
                assertThat(containerPort(container(selected.getFirst()), port.get("targetPort")))
                        .as(key + " " + port.get("name")).isNotNull();
            }
        });
    }

    @Test
    void processorsKeepTheirStateOnAVolumeOfTheirOwnWithAStandbyCopy() {
        Map<String, Object> processors = objects.get("StatefulSet/ferry-processor");
        FerryConfig config = FerryConfig.load(environment(processors));
        assertThat(Integer.parseInt(config.streams().get("num.standby.replicas"))).isGreaterThanOrEqualTo(1);
        assertThat(((Number) map(processors, "spec").get("replicas")).intValue())
                .as("more processors than partitions have nothing to do").isLessThanOrEqualTo(config.partitions());
        List<String> claims = maps(map(processors, "spec"), "volumeClaimTemplates").stream()
                .map(claim -> (String) map(claim, "metadata").get("name")).toList();
        assertThat(maps(container(processors), "volumeMounts"))
                .as("the data directory, where the state stores live, is a claim of each pod")
                .anySatisfy(mount -> {
                    assertThat(mount.get("mountPath")).isEqualTo(config.dataDir().toString());
                    assertThat(claims).contains((String) mount.get("name"));
                });
        String serviceName = (String) map(processors, "spec").get("serviceName");
        assertThat(map(objects.get("Service/" + serviceName), "spec").get("clusterIP")).as("headless")
                .isEqualTo("None");
    }

    private static Map<String, Map<String, Object>> workloads() {
        Map<String, Map<String, Object>> workloads = new LinkedHashMap<>();
        objects.forEach((key, object) -> {
            if (Set.of("Deployment", "StatefulSet").contains(object.get("kind"))) {
                workloads.put(key, object);
            }
        });
        return workloads;
    }

    /** What the container's process sees: the ConfigMaps and Secrets it takes whole, then its own variables. */
    private static Map<String, String> environment(Map<String, Object> workload) {
        Map<String, Object> container = container(workload);
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> source : maps(container, "envFrom")) {
            if (source.get("configMapRef") != null) {
                strings(objects.get("ConfigMap/" + map(source, "configMapRef").get("name")), "data", env);
            } else {
                strings(objects.get("Secret/" + map(source, "secretRef").get("name")), "stringData", env);
            }
        }
        for (Map<String, Object> variable : maps(container, "env")) {
            env.put((String) variable.get("name"), (String) variable.get("value"));
        }
        return env;
    }

    private static void strings(Map<String, Object> object, String field, Map<String, String> into) {
        assertThat(object).as("a ConfigMap or Secret the manifests define").isNotNull();
        map(object, field).forEach((name, value) -> into.put(name, value.toString()));
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload, "spec"), "template"), "spec");
    }

    private static Map<String, Object> container(Map<String, Object> workload) {
        List<Map<String, Object>> containers = maps(podSpec(workload), "containers");
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    private static String path(Map<String, Object> container, String probe) {
        return (String) map(map(container, probe), "httpGet").get("path");
    }

    /** The container port a probe's or Service's port refers to, by name or number; null if none. */
    private static Integer containerPort(Map<String, Object> container, Object port) {
        for (Map<String, Object> declared : maps(container, "ports")) {
            int number = ((Number) declared.get("containerPort")).intValue();
            if (port.equals(declared.get("name")) || port.equals(number)) {
                return number;
            }
        }
        return null;
    }

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new AssertionError(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(path, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> object, String field) {
        Object value = object.get(field);
        assertThat(value).as(field).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Map<String, Object> object, String field) {
        Object value = object.get(field);
        return value == null ? List.of() : new ArrayList<>((List<Map<String, Object>>) value);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> object, String field) {
        return (List<String>) object.get(field);
    }
}
