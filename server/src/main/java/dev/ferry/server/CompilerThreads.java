package dev.ferry.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JIT compiler's threads at a lower scheduling priority than the server's own (a higher nice value).
 *
 * <p>Why: for its first minute or two under load the JVM compiles (C2 alone for 30 s of CPU, docs/performance.md),
 * and on a small machine its three compiler threads then hold the cores that a call's threads wake up to. A call
 * wakes some twenty threads on its way (the broker's, the processor's, the dispatcher's), and each one that finds
 * both cores taken by compilations waits for a time slice. With the compiler a few nice levels down, a woken call
 * thread takes the core at once, and the compiler gets every cycle the calls leave: under sequential calls most of
 * a core. Measured with {@code docs/tools/warm-up.sh} (sequential calls from a fresh start): the p50 of the second
 * 10 s of load about halved. The price is under load that fills the cores: then the compiler gets a small share,
 * and what it has not compiled yet is still to do when the load eases. Hence off by default
 * ({@code FERRY_COMPILER_NICENESS}).
 *
 * <p>Linux only (thread ids from {@code /proc/self/task}); elsewhere, or without util-linux's {@code renice}, it
 * does nothing. Raising a thread's own nice value needs no privilege. Compiler threads the JVM starts later are
 * started by a compiler thread and inherit its nice value. (Java 21, which Ferry supports, has no
 * {@code setpriority} without a preview API, hence the command.)
 */
final class CompilerThreads {
    private static final Logger log = LoggerFactory.getLogger(CompilerThreads.class);
    private static final Path TASKS = Path.of("/proc/self/task");
    /** {@code comm} of HotSpot's compiler threads ("C2 CompilerThread0" cut to the kernel's 15 characters). */
    private static final List<String> COMPILER_THREAD_NAMES = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final int LOWEST_PRIORITY = 19;

    private CompilerThreads() {}

    /**
     * Adds {@code niceness} to the nice value of each compiler thread (at most 19); returns how many it lowered.
     * Zero or less leaves them as they are.
     */
    static int lowerPriority(int niceness) {
        if (niceness <= 0 || !Files.isDirectory(TASKS)) {
            return 0;
        }
        // Thread ids by the nice value each is to get: normally one group, one command.
        Map<Integer, List<String>> byNice = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                compilerThreadNice(task).ifPresent(nice -> byNice.computeIfAbsent(
                        Math.min(LOWEST_PRIORITY, nice + niceness), n -> new ArrayList<>())
                        .add(task.getFileName().toString()));
            }
        } catch (IOException e) {
            return 0;
        }
        int lowered = 0;
        for (Map.Entry<Integer, List<String>> group : byNice.entrySet()) {
            // The value first and without -n: absolute in every renice (util-linux's -n turns relative under
            // POSIXLY_CORRECT, BusyBox's always is).
            List<String> command = new ArrayList<>(List.of("renice", group.getKey().toString(), "-p"));
            command.addAll(group.getValue());
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                builder.environment().remove("POSIXLY_CORRECT");
                Process renice = builder.start();
                if (renice.waitFor(5, TimeUnit.SECONDS) && renice.exitValue() == 0) {
                    lowered += group.getValue().size();
                } else {
                    renice.destroy();
                }
            } catch (IOException e) {
                // Only a scheduling preference: the server runs the same without it.
                log.debug("Could not lower the compiler threads' priority: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return lowered;
    }

    /** The thread's nice value if it is one of the JVM's compiler threads. */
    static Optional<Integer> compilerThreadNice(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).strip();
            if (!COMPILER_THREAD_NAMES.contains(name)) {
                return Optional.empty();
            }
            // stat: "tid (comm) state ..."; the nice value is the 19th field, the 17th after the name's ')'.
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Integer.parseInt(fields[16]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the thread ended meanwhile
        }
    }
}
