package dev.ferry.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Ferry in a process of its own (the server's main class on the test's classpath), for tests that kill a role
 * with SIGKILL and watch the rest carry on. Its output goes to a log file the test can wait on.
 */
final class FerryProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private FerryProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static FerryProcess start(String name, Map<String, String> env) {
        try {
            Path log = Files.createTempFile("ferry-" + name, ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
            builder.environment().putAll(env);
            return new FerryProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the line a Ferry logs once every role is up contains ({@code Ferry <version> (<commit>) started: roles
     * [...]}, FerryServer): the version and commit before it change with every build.
     */
    static final String STARTED = " started: roles ";

    /** Waits until the process has logged a line containing {@code text}. */
    FerryProcess awaitLog(String text, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Ferry process exited; its log:\n" + Files.readString(log));
                }
                return Files.readString(log).contains(text);
            });
        } catch (RuntimeException | Error e) {
            // Tests start and await in one expression inside try-with-resources: a process that never got there is
            // no resource of theirs, and would outlive the test run.
            process.destroyForcibly();
            throw e;
        }
        return this;
    }

    /** SIGTERM, as {@code docker stop} sends it; waits for the process to exit and returns its exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the Ferry process did not stop within " + timeout);
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The ingress's port, from the startup log (the process may have been given port 0). */
    int ingressPort() throws IOException {
        return loggedPort("  ingress      http://");
    }

    /** The admin port, from the startup log. */
    int adminPort() throws IOException {
        return loggedPort("  admin        http://");
    }

    /**
     * The port on the startup banner's line that begins with {@code prefix}. The banner is several log lines after the
     * {@link #STARTED} one, written one by one: a test that saw that line may read the log before the rest is there.
     */
    private int loggedPort(String prefix) throws IOException {
        Pattern line = Pattern.compile(Pattern.quote(prefix)
                + "[^:\\s]+:(\\d+)");
        try {
            String found = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        Matcher port = line.matcher(log());
                        return port.find() ? port.group(1) : null;
                    }, Objects::nonNull);
            return Integer.parseInt(found);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("no '" + prefix.strip() + "' line in the log:\n" + log(), e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, no group is left. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
