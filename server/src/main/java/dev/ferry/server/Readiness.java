package dev.ferry.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether this process can serve: the broker answers (checked every two seconds), and each role it runs says it is
 * working. {@code /health/ready} shows every check; the ingress refuses requests only for the checks it needs.
 */
final class Readiness implements AutoCloseable {
    private static final Duration KAFKA_CHECK = Duration.ofSeconds(2);

    /** A named check: null when fine, otherwise what is wrong. */
    record Check(String name, boolean neededByIngress, Supplier<String> problem) {}

    private final Admin admin;
    private final List<Check> checks = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ferry-readiness").daemon().unstarted(r));
    private volatile String kafkaProblem = "not checked yet";
    private volatile boolean shuttingDown;

    Readiness(Map<String, String> kafka) {
        Properties props = new Properties();
        props.putAll(kafka);
        admin = Admin.create(props);
        checks.add(new Check("kafka", true, () -> kafkaProblem));
        checks.add(new Check("shutdown", true, () -> shuttingDown ? "Ferry is shutting down" : null));
    }

    void start() {
        checkKafka();
        scheduler.scheduleWithFixedDelay(this::checkKafka, KAFKA_CHECK.toMillis(), KAFKA_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void add(String name, boolean neededByIngress, Supplier<String> problem) {
        checks.add(new Check(name, neededByIngress, problem));
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    private void checkKafka() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) KAFKA_CHECK.toMillis()))
                    .nodes().get(KAFKA_CHECK.toMillis() + 500, TimeUnit.MILLISECONDS);
            kafkaProblem = null;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            kafkaProblem = "the Kafka cluster does not answer (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Every check and its state: "ok" or the problem. */
    Map<String, String> report() {
        Map<String, String> report = new LinkedHashMap<>();
        for (Check check : checks) {
            String problem = check.problem().get();
            report.put(check.name(), problem == null ? "ok" : problem);
        }
        return report;
    }

    boolean ready() {
        return checks.stream().allMatch(check -> check.problem().get() == null);
    }

    /** Why the ingress cannot take requests now, or null when it can. */
    String ingressProblem() {
        for (Check check : checks) {
            if (check.neededByIngress()) {
                String problem = check.problem().get();
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
