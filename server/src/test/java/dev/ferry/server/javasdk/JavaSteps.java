package dev.ferry.server.javasdk;

import dev.restate.sdk.Context;
import dev.restate.sdk.annotation.Handler;
import dev.restate.sdk.annotation.Service;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service written with the Restate Java SDK that journals a side effect with {@code ctx.run}. Each execution of the
 * closure is counted per tag in {@link #EXECUTIONS}, so a test in the same JVM can see that it ran once.
 */
@Service
public class JavaSteps {
    /** How many times the {@code ctx.run} closure of {@link #run} executed, per tag. */
    public static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();

    /** Runs one journaled step that answers {@code 10 * tag.length()}, then adds 1 outside the step. */
    @Handler
    public int run(Context ctx, String tag) {
        int step = ctx.run("step-" + tag, Integer.class, () -> {
            EXECUTIONS.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
            return 10 * tag.length();
        });
        return step + 1;
    }

    /** How many times the closure ran for {@code tag}. */
    public static int executions(String tag) {
        AtomicInteger count = EXECUTIONS.get(tag);
        return count == null ? 0 : count.get();
    }
}
