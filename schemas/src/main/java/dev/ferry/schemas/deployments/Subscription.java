package dev.ferry.schemas.deployments;

import java.util.Map;

/**
 * A Kafka topic whose records become invocations of a handler: {@code source} {@code kafka://{cluster}/{topic}},
 * {@code sink} {@code service://{Service}/{handler}}. Kept on the deployments topic under its id ({@code sub_…}).
 *
 * @param options {@code auto.offset.reset} ({@code earliest}, the default, or {@code latest}) and
 *     {@code result_topic} (publish each invocation's result there)
 * @param createdAt epoch milliseconds
 */
public record Subscription(String id, String source, String sink, Map<String, String> options, long createdAt) {
    public Subscription {
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
