package dev.ferry.schemas;

/**
 * Ferry's topic names, all under one configurable prefix (default {@code ferry.}) so several Ferry installations
 * can share a Kafka cluster.
 */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "ferry.";

    /** The command log: every command that changes an invocation, keyed by routing key. */
    public String log() {
        return prefix + "log";
    }

    /**
     * Commands from Ferry's ingresses: the only commands whose {@code replyTo} is honoured. Co-partitioned with the
     * log, and read with it; direct producers write the log and never this topic.
     */
    public String requests() {
        return prefix + "requests";
    }

    /** Attempts for dispatchers to run. */
    public String dispatch() {
        return prefix + "dispatch";
    }

    /** Answers for waiting requests, keyed by ingress instance id. */
    public String replies() {
        return prefix + "replies";
    }

    /**
     * Reads of invocation state (list, describe) from the admin API to every processor: one partition, read from
     * its end by each processor, so none of them goes through the command log.
     */
    public String queries() {
        return prefix + "queries";
    }

    /** The service registry: one compacted record per deployment. */
    public String deployments() {
        return prefix + "deployments";
    }

    /** Records that could not be processed, with the reason in a header. */
    public String deadLetter() {
        return prefix + "dead-letter";
    }

    /** Completed invocations, for consumers that want results without HTTP (when publishing is switched on). */
    public String results() {
        return prefix + "results";
    }

    /** The consumer group of one subscription. */
    public String subscriptionGroup(String subscriptionId) {
        return prefix + "subscription-" + subscriptionId;
    }

    /** The Kafka Streams application id of the processor; its internal topics start with it. */
    public String processorApplicationId() {
        return prefix + "processor";
    }

    /** The consumer group the dispatchers share. */
    public String dispatcherGroup() {
        return prefix + "dispatchers";
    }
}
