package dev.ferry.processor;

import java.time.Duration;

/**
 * The processor's tunables.
 *
 * @param lease how long a dispatched attempt may go without a lease renewal before it is run again
 * @param timerTick how often the wall-clock punctuator looks for due timers; with an idle topic the stream
 *     thread also needs {@code poll.ms} at most this long to wake up in time
 */
public record ProcessorSettings(Policies policies, Duration lease, Duration timerTick) {}
