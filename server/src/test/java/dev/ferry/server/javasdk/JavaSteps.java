package dev.ferry.server.javasdk;

import dev.restate.sdk.Context;
import dev.restate.sdk.annotation.Handler;
import dev.restate.sdk.annotation.Service;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service written with the Restate Java SDK that journals a side effect with {@code ctx.run}. Each execution of the
 * closure is counted per tag in {@link #EXECUTIONS}, and each entry into the handler (the first and every replay) in
 * {@link #ENTRIES}, so a test in the same JVM can see that the closure ran once although the handler ran again.
 */
@Service
public class JavaSteps {
    /** How many times the {@code ctx.run} closure of {@link #run} executed, per tag. */
    public static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();
    /** How many times {@link #run} was entered, per tag: once per attempt. */
    public static final Map<String, AtomicInteger> ENTRIES = new ConcurrentHashMap<>();

    /** Runs one journaled step that answers {@code 10 * tag.length()}, then adds 1 outside the step. */
    @Handler
    public int run(Context ctx, String tag) {
        ENTRIES.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
        int step = ctx.run("step-" + tag, Integer.class, () -> {
            EXECUTIONS.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
            return 10 * tag.length();
        });
        return step + 1;
    }

    /** How many times the closure ran for {@code tag}. */
    public static int executions(String tag) {
        return count(EXECUTIONS, tag);
    }

    /** How many times the handler was entered for {@code tag}. */
    public static int entries(String tag) {
        return count(ENTRIES, tag);
    }

    private static int count(Map<String, AtomicInteger> counts, String tag) {
        AtomicInteger count = counts.get(tag);
        return count == null ? 0 : count.get();
    }
}
