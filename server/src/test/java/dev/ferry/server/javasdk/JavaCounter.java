package dev.ferry.server.javasdk;

import dev.restate.sdk.ObjectContext;
import dev.restate.sdk.SharedObjectContext;
import dev.restate.sdk.annotation.Handler;
import dev.restate.sdk.annotation.Shared;
import dev.restate.sdk.annotation.VirtualObject;
import dev.restate.sdk.common.StateKey;

// The README's Counter, written with Restate's Java SDK: a virtual object whose state key "count" adds up.
// (No double quotes in Javadoc here: see JavaGreeter.)
@VirtualObject
public class JavaCounter {
    private static final StateKey<Integer> COUNT = StateKey.of("count", Integer.class);

    /** Exclusive: adds {@code value} to the count of this key and answers the new total. */
    @Handler
    public int add(ObjectContext ctx, int value) {
        int total = ctx.get(COUNT).orElse(0) + value;
        ctx.set(COUNT, total);
        return total;
    }

    /** Shared: the count of this key, 0 when nothing was added. */
    @Shared
    @Handler
    public int get(SharedObjectContext ctx) {
        return ctx.get(COUNT).orElse(0);
    }
}
