package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CompilerThreadsTest {
    private static final Path TASKS = Path.of("/proc/self/task");

    @Test
    void lowersThePriorityOfThisJvmsCompilerThreadsOnly() throws IOException {
        assumeTrue(Files.isDirectory(TASKS), "Linux only");
        Map<Path, Integer> before = niceOfEveryThread();
        Map<Path, Integer> compilers = compilerThreads(before);
        assumeTrue(!compilers.isEmpty(), "no JIT compiler threads (-Xint?)");

        int lowered = CompilerThreads.lowerPriority(3);

        Map<Path, Integer> after = niceOfEveryThread();
        // The JVM may start or end a compiler thread meanwhile: those are left out.
        assertThat(lowered).isPositive();
        compilers.forEach((task, nice) -> {
            if (after.containsKey(task)) {
                assertThat(after.get(task)).as("compiler thread %s", task).isEqualTo(Math.min(19, nice + 3));
            }
        });
        before.keySet().stream().filter(task -> !compilers.containsKey(task) && after.containsKey(task))
                .forEach(task -> assertThat(after.get(task)).as("thread %s", task).isEqualTo(before.get(task)));
    }

    @Test
    void zeroLeavesThemAlone() throws IOException {
        assumeTrue(Files.isDirectory(TASKS), "Linux only");
        Map<Path, Integer> before = compilerThreads(niceOfEveryThread());

        assertThat(CompilerThreads.lowerPriority(0)).isZero();

        compilerThreads(niceOfEveryThread()).forEach((task, nice) -> {
            if (before.containsKey(task)) {
                assertThat(nice).as("compiler thread %s", task).isEqualTo(before.get(task));
            }
        });
    }

    private static Map<Path, Integer> compilerThreads(Map<Path, Integer> threads) {
        return threads.entrySet().stream()
                .filter(thread -> CompilerThreads.compilerThreadNice(thread.getKey()).isPresent())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Every thread's nice value, read as ps reads it: the 19th field of its stat. */
    private static Map<Path, Integer> niceOfEveryThread() throws IOException {
        try (Stream<Path> tasks = Files.list(TASKS)) {
            return tasks.flatMap(task -> nice(task).map(nice -> Map.entry(task, nice)).stream())
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }

    private static Optional<Integer> nice(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            return Optional.of(Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
