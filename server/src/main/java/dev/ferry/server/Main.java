package dev.ferry.server;

import dev.ferry.cli.FerryCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code ferry} — runs the server with the roles of its configuration; {@code ferry bench} measures a running
 * Ferry; {@code ferry train} is the training run of the JVM's ahead-of-time cache; {@code ferry invocations|services|deployments|subscriptions} manage a running Ferry through its admin API
 * ({@link FerryCli}). (The example service is a jar of its own, which the {@code ferry} script runs as
 * {@code ferry example}.)
 */
public final class Main {
    /** The server's commands of {@code ferry <command>}; the container files use some of them. */
    static final Set<String> COMMANDS = Set.of("run", "bench", "train", "health", "help");

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "run" : args[0];
        if (FerryCli.COMMANDS.contains(command)) {
            // Before any logging is set up: the command line is a short HTTP client that loads neither the
            // server's logging nor Kafka, so it starts quickly.
            System.exit(FerryCli.run(args, System.getenv(), new PrintWriter(System.out, false, System.out.charset()),
                    new PrintWriter(System.err, false, System.err.charset())));
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install(); // Helidon logs through java.util.logging
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "run" -> run();
            case "bench" -> System.exit(Bench.main(rest));
            case "train" -> System.exit(Train.main(rest));
            case "health" -> System.exit(health(rest));
            case "help", "-h", "--help" -> usage();
            default -> {
                System.err.println("unknown command '" + command + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void run() throws Exception {
        Logger log = LoggerFactory.getLogger(Main.class);
        FerryConfig config;
        try {
            config = FerryConfig.load(System.getenv());
        } catch (FerryConfig.InvalidConfig e) {
            System.err.println("ferry: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logs.apply(config);
        if (config.compilerNiceness() > 0) {
            int lowered = CompilerThreads.lowerPriority(config.compilerNiceness());
            log.info("{} JIT compiler threads run {} nice levels down (FERRY_COMPILER_NICENESS)", lowered,
                    config.compilerNiceness());
        }
        FerryServer server;
        try {
            server = new FerryServer(config).start();
        } catch (FerryConfig.InvalidConfig e) {
            log.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping Ferry (up to {} for open calls to finish)", config.shutdownGrace());
            server.shutdown(config.shutdownGrace());
            log.info("Ferry stopped");
            stopped.countDown();
        }, "ferry-shutdown"));
        stopped.await();
    }

    /**
     * {@code ferry health [url]}: exit 0 when the URL (default: this process's readiness on the admin port)
     * answers 2xx. For container health checks, where images have a JVM but no curl.
     */
    static int health(String[] args) {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:"
                + System.getenv().getOrDefault(Setting.ADMIN_PORT.env(), Setting.ADMIN_PORT.defaultValue())
                + "/health/ready";
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println(response.statusCode() + " " + response.body());
            return response.statusCode() / 100 == 2 ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            System.out.println(url + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void usage() {
        System.out.println("""
                usage: ferry [run | bench [options] | health [url] | help | COMMAND ...]
                  run       start Ferry with the roles of FERRY_ROLES (default: all, on an embedded Kafka broker)
                  bench     measure a running Ferry (see ferry bench --help)
                  train     a training run for the JVM's ahead-of-time cache (see ferry train --help)
                  health    exit 0 when the URL (default: this host's /health/ready) answers 2xx
                manage a running Ferry through its admin API (see ferry COMMAND --help):
                  invocations    ls [--status S] [--service S] [--handler H] [--key K] | show ID
                                 | cancel ID... | kill ID... | purge ID... | resume ID...
                  services       ls | show NAME
                  deployments    ls | show ID | add URI | rm ID
                  subscriptions  ls | add SOURCE SINK [-o NAME=VALUE]... | rm ID
                  (--json prints the admin API's JSON; exit 0 done, 1 the request failed, 2 usage error)
                configuration: environment variables FERRY_*, see the README
                the example service: ./ferry example, or java -jar example/target/ferry-example.jar""");
    }
}
