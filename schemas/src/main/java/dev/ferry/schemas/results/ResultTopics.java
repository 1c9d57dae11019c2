package dev.ferry.schemas.results;

import dev.ferry.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The topics an invocation's result may be published on ({@code resultTopic}, set by subscriptions and writable by
 * direct producers): the names and {@code prefix*} patterns of {@code FERRY_RESULT_TOPICS}, never a topic Kafka,
 * Kafka Streams or Ferry itself relies on. Ferry's results topic is always allowed.
 */
public final class ResultTopics {
    /** Kafka's rule for topic names. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final Topics topics;
    private final List<String> names = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    private ResultTopics(Topics topics) {
        this.topics = topics;
    }

    /**
     * @param setting comma-separated topic names and {@code prefix*} patterns; {@code *} for any topic that is not
     *     reserved
     * @throws IllegalArgumentException for an entry that is not a topic name or pattern
     */
    public static ResultTopics parse(String setting, Topics topics) {
        ResultTopics allowed = new ResultTopics(topics);
        for (String entry : setting.split(",")) {
            String name = entry.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (name.endsWith("*")) {
                String prefix = name.substring(0, name.length() - 1);
                if (!prefix.isEmpty() && !LEGAL.matcher(prefix).matches()) {
                    throw new IllegalArgumentException("'" + name + "' is not a topic name or prefix* pattern");
                }
                allowed.prefixes.add(prefix);
            } else if (LEGAL.matcher(name).matches()) {
                allowed.names.add(name);
            } else {
                throw new IllegalArgumentException("'" + name + "' is not a topic name or prefix* pattern");
            }
        }
        return allowed;
    }

    /** Any topic that is not reserved. */
    public static ResultTopics any(Topics topics) {
        return parse("*", topics);
    }

    /** Null when results may be published on {@code topic}; otherwise why not. */
    public String problem(String topic) {
        if (topic == null || !LEGAL.matcher(topic).matches()) {
            return "'" + topic + "' is not a valid topic name";
        }
        if (topic.equals(topics.results())) {
            return null;
        }
        String reserved = reserved(topic);
        if (reserved != null) {
            return "the result topic '" + topic + "' is not allowed: " + reserved;
        }
        if (names.contains(topic) || prefixes.stream().anyMatch(topic::startsWith)) {
            return null;
        }
        return "the result topic '" + topic + "' is not allowed: FERRY_RESULT_TOPICS allows " + this;
    }

    private String reserved(String topic) {
        if (topic.startsWith("__")) {
            return "topics starting with __ are Kafka's own";
        }
        boolean ferrys = topics.prefix().isEmpty()
                ? List.of(topics.log(), topics.requests(), topics.dispatch(), topics.replies(), topics.deployments(),
                        topics.deadLetter()).contains(topic) || topic.startsWith(topics.processorApplicationId())
                : topic.startsWith(topics.prefix());
        if (ferrys) {
            return "topics starting with " + topics.prefix() + " are Ferry's own (except " + topics.results() + ")";
        }
        if (topic.endsWith("-changelog") || topic.endsWith("-repartition")) {
            return "topics ending with -changelog or -repartition are Kafka Streams' own";
        }
        return null;
    }

    @Override
    public String toString() {
        List<String> entries = new ArrayList<>(names);
        prefixes.forEach(prefix -> entries.add(prefix + "*"));
        return entries.isEmpty() ? "none" : String.join(",", entries);
    }
}
