package dev.ferry.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code ferry train [--seconds S]}: a training run for the JVM's ahead-of-time cache (JEPs 483, 514, 515). It starts
 * every role on an embedded broker of its own (a temporary data directory, free ports on 127.0.0.1, nothing of the
 * environment's configuration), has {@code ferry bench --train S} drive the calls clients make most against it from
 * a second JVM, then stops and deletes its data. Run with {@code -XX:AOTCacheOutput}, the JVM writes the cache when
 * this returns, holding the classes of a server that served calls and the method profiles of that load, so later
 * runs compile their hot paths early (ARCHITECTURE.md, "Start and warm-up"). The load runs in another process so
 * that the cache holds the server's profiles only: a client in this JVM would mix its own into the HTTP and JSON code
 * both share. {@code ./ferry} runs this once per build.
 */
final class Train {
    static final int DEFAULT_SECONDS = 60;

    private Train() {}

    static int main(String[] args) throws Exception {
        int seconds = DEFAULT_SECONDS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> {
                    seconds = i + 1 < args.length && args[i + 1].matches("[1-9][0-9]{0,5}")
                            ? Integer.parseInt(args[++i]) : 0;
                    if (seconds == 0) {
                        System.err.println("--seconds needs a whole number of seconds, 1 to 999999");
                        return 2;
                    }
                }
                case "-h", "--help" -> {
                    System.out.println("usage: ferry train [--seconds S]\n"
                            + "  S seconds (default " + DEFAULT_SECONDS + ") of calls against a Ferry of its own on"
                            + " free ports, for the JVM's\n  ahead-of-time cache (run with -XX:AOTCacheOutput;"
                            + " ./ferry does, once per build)");
                    return 0;
                }
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        Path data = Files.createTempDirectory("ferry-train");
        AtomicReference<FerryServer> server = new AtomicReference<>();
        AtomicReference<Process> load = new AtomicReference<>();
        // Stopped by a signal (Ctrl-C while ./ferry trains), the JVM runs its hooks but no finally block: the hook
        // stops the load, which would otherwise go on calling a server that is gone, the server, and deletes the data.
        Thread cleanUp = new Thread(() -> cleanUp(load.get(), server.get(), data), "ferry-train-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            FerryConfig config = FerryConfig.load(Map.of(
                    Setting.DATA_DIR.env(), data.toString(),
                    Setting.EMBEDDED_KAFKA_PORT.env(), "0",
                    Setting.INGRESS_HOST.env(), "127.0.0.1",
                    Setting.INGRESS_PORT.env(), "0",
                    Setting.ADMIN_HOST.env(), "127.0.0.1",
                    Setting.ADMIN_PORT.env(), "0",
                    Setting.LOG_LEVEL.env(), "WARN"));
            Logs.apply(config);
            server.set(new FerryServer(config).start());
            load.set(new ProcessBuilder(benchCommand(server.get(), seconds)).inheritIO().start());
            // The load stops itself after S seconds and its last round; this bounds a load that hangs.
            if (!load.get().waitFor(seconds + 300L, TimeUnit.SECONDS)) {
                System.err.println("ferry train: the load did not finish; stopped it");
                return 1;
            }
            return load.get().exitValue();
        } finally {
            boolean shuttingDown;
            try {
                shuttingDown = !Runtime.getRuntime().removeShutdownHook(cleanUp);
            } catch (IllegalStateException e) {
                shuttingDown = true;
            }
            if (!shuttingDown) {
                cleanUp(load.get(), server.get(), data);
            }
        }
    }

    private static void cleanUp(Process load, FerryServer server, Path data) {
        if (load != null && load.isAlive()) {
            load.destroyForcibly();
        }
        if (server != null) {
            server.shutdown(Duration.ofSeconds(5));
        }
        deleteTree(data);
    }

    /**
     * {@code ferry bench --train S} in a JVM of its own, from this JVM's java and class path (the jar, under
     * {@code ./ferry}) without its options.
     */
    private static List<String> benchCommand(FerryServer server, int seconds) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench",
                "--ingress", "http://127.0.0.1:" + server.ingressPort(),
                "--admin", "http://127.0.0.1:" + server.adminPort(),
                "--train", Integer.toString(seconds));
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("ferry train: could not delete " + root + ": " + e.getMessage());
        }
    }
}
