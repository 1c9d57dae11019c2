package dev.ferry.processor;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.results.ResultTopics;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The processor's tunables.
 *
 * @param registry the registry as it is now, for resolving submissions
 * @param partitions the command log's partition count, to tell where a command belongs
 * @param lease how long a dispatched attempt may go without a lease renewal before it is run again
 * @param timerTick how often the wall-clock punctuator looks for due timers; with an idle topic the stream
 *     thread also needs {@code poll.ms} at most this long to wake up in time
 * @param limits the largest body, and the record sizes that follow from it
 * @param resultTopics where a submission's {@code resultTopic} may point; null for {@link ResultTopics#any}
 * @param maxInboxLength invocations that may wait for one object key (or workflow id); more are refused
 * @param storeMemoryBytes off-heap memory of all state stores of the process ({@link BoundedStoreMemory})
 * @param outputLinger how long the processor's producer gathers dispatches and replies before a produce request
 *     ({@code linger.ms}): zero where the broker's copy is a call's next hop, a few milliseconds where this
 *     process's own readers take them in memory as they are sent ({@link ProcessorOutputs})
 */
public record ProcessorSettings(
        Policies policies, Supplier<Registry> registry, int partitions, Duration lease, Duration timerTick,
        RecordLimits limits, ResultTopics resultTopics, int maxInboxLength, long storeMemoryBytes,
        Duration outputLinger) {
    public static final int DEFAULT_MAX_INBOX_LENGTH = 1_000;
    /** Off-heap memory of all state stores of a process together ({@link BoundedStoreMemory}). */
    public static final long DEFAULT_STORE_MEMORY_BYTES = 64L * 1024 * 1024;

    /** With the default store memory, and outputs sent at once. */
    public ProcessorSettings(Policies policies, Supplier<Registry> registry, int partitions, Duration lease,
            Duration timerTick, RecordLimits limits, ResultTopics resultTopics, int maxInboxLength) {
        this(policies, registry, partitions, lease, timerTick, limits, resultTopics, maxInboxLength,
                DEFAULT_STORE_MEMORY_BYTES, Duration.ZERO);
    }

    /** With the default body limit and inbox cap, and results publishable on any topic that is not reserved. */
    public ProcessorSettings(
            Policies policies, Supplier<Registry> registry, int partitions, Duration lease, Duration timerTick) {
        this(policies, registry, partitions, lease, timerTick, RecordLimits.DEFAULT, null, DEFAULT_MAX_INBOX_LENGTH);
    }
}
