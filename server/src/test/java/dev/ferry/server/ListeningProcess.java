package dev.ferry.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service run as a process of its own for a test (a Restate SDK service, an example service in another
 * language): started, and ready once it prints the line that says where it listens. Its output (stdout and
 * stderr) is kept for the test's messages.
 */
final class ListeningProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final String address;
    private final List<String> output;

    private ListeningProcess(Process process, String address, List<String> output) {
        this.process = process;
        this.address = address;
        this.output = output;
    }

    /**
     * Starts {@code builder} and waits until a line of its output matches {@code listening}.
     *
     * @param listening a pattern whose first group is where the process listens (a port, a URL)
     * @param what the process, for the message when it does not start
     */
    static ListeningProcess start(ProcessBuilder builder, Pattern listening, String what) {
        Process process;
        try {
            process = builder.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> address = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    output.add(line);
                    Matcher matcher = listening.matcher(line);
                    if (matcher.find()) {
                        address.complete(matcher.group(1));
                    }
                }
            } catch (IOException | RuntimeException e) {
                address.completeExceptionally(e);
            }
            address.completeExceptionally(new IllegalStateException(what + " exited: " + output));
        });
        try {
            return new ListeningProcess(process, address.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), output);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(what + " did not start: " + output, e);
        }
    }

    /** Where the process listens: the first group of the pattern it was started with. */
    String address() {
        return address;
    }

    /** What the process printed so far. */
    List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
