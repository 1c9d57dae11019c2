package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

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
    void refusesAnUnknownOption() throws Exception {
        assertThat(Train.main(new String[] {"--minutes", "1"})).isEqualTo(2);
    }

    private static List<Path> trainingDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(path -> path.getFileName().toString().startsWith("ferry-train")).toList();
        }
    }
}
