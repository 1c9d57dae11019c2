package dev.ferry.schemas;

/**
 * Headers of the records on the dead-letter topic. Two kinds go there: a record of the log that could not be
 * processed ({@value #REJECTED_RECORD}: its original key, value and headers, plus the reason and where it came
 * from), and an invocation that failed terminally or was killed, when its service asks for it
 * ({@value #FAILED_INVOCATION}: a {@code FailedInvocation} record).
 */
public final class DeadLetters {
    /** {@value #REJECTED_RECORD} or {@value #FAILED_INVOCATION}. */
    public static final String KIND = "ferry.dead-letter.kind";
    public static final String REJECTED_RECORD = "rejected-record";
    public static final String FAILED_INVOCATION = "failed-invocation";
    /** Why the record could not be processed. */
    public static final String REASON = "ferry.dead-letter.reason";
    /** Where the record came from: topic, partition and offset. */
    public static final String TOPIC = "ferry.dead-letter.topic";
    public static final String PARTITION = "ferry.dead-letter.partition";
    public static final String OFFSET = "ferry.dead-letter.offset";

    private DeadLetters() {}
}
