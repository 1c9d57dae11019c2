package dev.ferry.subscriptions;

import dev.ferry.schemas.results.ResultTopics;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A subscription's source and sink, parsed: {@code kafka://{cluster}/{topic}} and {@code service://{Service}/{handler}}. */
public record SubscriptionSpec(String cluster, String topic, String service, String handler) {
    private static final Pattern SOURCE = Pattern.compile("^kafka://([^/]+)/([a-zA-Z0-9._-]+)$");
    private static final Pattern SINK = Pattern.compile("^service://([^/]+)/([^/]+)$");
    /** The options a subscription understands. */
    public static final Set<String> OPTIONS = Set.of("auto.offset.reset", "result_topic");

    /** @throws InvalidSubscription saying what is wrong */
    public static SubscriptionSpec parse(String source, String sink) {
        Matcher sourceMatch = SOURCE.matcher(source == null ? "" : source);
        if (!sourceMatch.matches()) {
            throw new InvalidSubscription("invalid source '" + source + "': expected kafka://{cluster}/{topic}, "
                    + "e.g. kafka://default/orders");
        }
        Matcher sinkMatch = SINK.matcher(sink == null ? "" : sink);
        if (!sinkMatch.matches()) {
            throw new InvalidSubscription("invalid sink '" + sink + "': expected service://{Service}/{handler}");
        }
        return new SubscriptionSpec(sourceMatch.group(1), sourceMatch.group(2), sinkMatch.group(1), sinkMatch.group(2));
    }

    /** @throws InvalidSubscription saying what is wrong */
    public static void checkOptions(Map<String, String> options, ResultTopics resultTopics) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!OPTIONS.contains(option.getKey())) {
                throw new InvalidSubscription("unknown option '" + option.getKey() + "'; known: " + OPTIONS);
            }
        }
        String reset = options.get("auto.offset.reset");
        if (reset != null && !reset.equals("earliest") && !reset.equals("latest")) {
            throw new InvalidSubscription("auto.offset.reset must be earliest or latest");
        }
        String resultTopic = options.get("result_topic");
        if (resultTopic != null) {
            String problem = resultTopics.problem(resultTopic);
            if (problem != null) {
                throw new InvalidSubscription("invalid result_topic: " + problem);
            }
        }
    }

    /** A subscription that cannot be, with the reason; the admin API answers it with 400. */
    public static final class InvalidSubscription extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSubscription(String reason) {
            super(reason);
        }
    }
}
