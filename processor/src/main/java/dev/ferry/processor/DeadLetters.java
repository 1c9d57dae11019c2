package dev.ferry.processor;

/** Headers Ferry adds to a record it sends to the dead-letter topic, beside the record's own headers. */
public final class DeadLetters {
    /** Why the record could not be processed. */
    public static final String REASON = "ferry.dead-letter.reason";
    /** Where the record came from: topic, partition and offset. */
    public static final String TOPIC = "ferry.dead-letter.topic";
    public static final String PARTITION = "ferry.dead-letter.partition";
    public static final String OFFSET = "ferry.dead-letter.offset";

    private DeadLetters() {}
}
