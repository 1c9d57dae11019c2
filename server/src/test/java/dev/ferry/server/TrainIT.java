package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry train}, which {@code ./ferry} runs once per build to record the JVM's ahead-of-time cache: a Ferry of
 * its own on free ports, load from {@code ferry bench --train} in a second JVM, then nothing left behind. Its exit
 * status is the launcher's only sign that the cache holds the profiles of calls that worked (more than a tenth of
 * the requests failing makes it 1).
 */
class TrainIT {
    @Test
    void servesARoundOfCallsFromASecondJvmAndLeavesNoDataBehind() throws Exception {
        List<Path> before = trainingDirectories();

        int status = Train.main(new String[] {"--seconds", "1"});

        assertThat(status).isZero();
        assertThat(trainingDirectories()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void refusesAnUnknownOptionAndABadLength() throws Exception {
        assertThat(Train.main(new String[] {"--minutes", "1"})).isEqualTo(2);
        assertThat(Train.main(new String[] {"--seconds"})).isEqualTo(2);
        assertThat(Train.main(new String[] {"--seconds", "a minute"})).isEqualTo(2);
        assertThat(Train.main(new String[] {"--seconds", "0"})).isEqualTo(2);
        assertThat(Train.main(new String[] {"--seconds", "99999999999"})).isEqualTo(2);
    }

    /**
     * Ctrl-C while {@code ./ferry} trains (here SIGTERM, which the JVM treats alike) ends the JVM without its finally
     * blocks: the load in the second JVM must not go on calling a server that is gone, and the training's data
     * directory must not stay behind in the temporary directory.
     */
    @Test
    void stoppedByASignalStopsTheLoadAndDeletesItsData(@TempDir Path tmp) throws Exception {
        Process training = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--seconds", "120")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // The load's first line, after its first round of calls: from then on it calls the server without pause.
        CompletableFuture<String> firstRound = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = training.inputReader()) {
                out.lines().filter(line -> line.startsWith("round 1:")).forEach(firstRound::complete);
            } catch (IOException | UncheckedIOException e) {
                firstRound.completeExceptionally(e);
            }
        });
        try {
            assertThat(firstRound.get(120, TimeUnit.SECONDS)).contains("errors 0");
            ProcessHandle load = training.descendants().findFirst().orElseThrow();
            assertThat(trainingDirectories(tmp)).hasSize(1);

            training.destroy();

            assertThat(training.waitFor(60, TimeUnit.SECONDS)).as("the training JVM stops").isTrue();
            assertThat(training.exitValue()).isEqualTo(143);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(load.isAlive()).as("the load JVM").isFalse());
            assertThat(trainingDirectories(tmp)).isEmpty();
        } finally {
            training.descendants().forEach(ProcessHandle::destroyForcibly);
            training.destroyForcibly();
        }
    }

    private static List<Path> trainingDirectories() throws IOException {
        return trainingDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private static List<Path> trainingDirectories(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(path -> path.getFileName().toString().startsWith("ferry-train")).toList();
        }
    }
}
