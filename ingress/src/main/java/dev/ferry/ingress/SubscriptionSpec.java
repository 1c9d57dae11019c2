package dev.ferry.ingress;

import dev.ferry.schemas.results.ResultTopics;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A subscription's source and sink, parsed: {@code kafka://{cluster}/{topic}} and {@code service://{Service}/{handler}}. */
record SubscriptionSpec(String cluster, String topic, String service, String handler) {
    private static final Pattern SOURCE = Pattern.compile("^kafka://([^/]+)/([a-zA-Z0-9._-]+)$");
    private static final Pattern SINK = Pattern.compile("^service://([^/]+)/([^/]+)$");
    /** The options a subscription understands. */
    static final Set<String> OPTIONS = Set.of("auto.offset.reset", "result_topic");

    static SubscriptionSpec parse(String source, String sink) {
        Matcher sourceMatch = SOURCE.matcher(source == null ? "" : source);
        if (!sourceMatch.matches()) {
            throw AdminError.json(400, "invalid source '" + source + "': expected kafka://{cluster}/{topic}, "
                    + "e.g. kafka://default/orders");
        }
        Matcher sinkMatch = SINK.matcher(sink == null ? "" : sink);
        if (!sinkMatch.matches()) {
            throw AdminError.json(400, "invalid sink '" + sink + "': expected service://{Service}/{handler}");
        }
        return new SubscriptionSpec(sourceMatch.group(1), sourceMatch.group(2), sinkMatch.group(1), sinkMatch.group(2));
    }

    static void checkOptions(Map<String, String> options, ResultTopics resultTopics) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!OPTIONS.contains(option.getKey())) {
                throw AdminError.json(400, "unknown option '" + option.getKey() + "'; known: " + OPTIONS);
            }
        }
        String reset = options.get("auto.offset.reset");
        if (reset != null && !reset.equals("earliest") && !reset.equals("latest")) {
            throw AdminError.json(400, "auto.offset.reset must be earliest or latest");
        }
        String resultTopic = options.get("result_topic");
        if (resultTopic != null) {
            String problem = resultTopics.problem(resultTopic);
            if (problem != null) {
                throw AdminError.json(400, "invalid result_topic: " + problem);
            }
        }
    }
}
