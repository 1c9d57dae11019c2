package dev.ferry.schemas.results;

/**
 * Headers of the records on the dead-letter topic. Two kinds go there: a record of the log that could not be
 * processed ({@value #REJECTED_RECORD}: its original key, value and headers, bounded, plus the reason and
 * where it came from), and an invocation that failed terminally or was killed, when its service asks for it
 * ({@value #FAILED_INVOCATION}: a {@code FailedInvocation} record).
 */
public final class DeadLetters {
    /** {@value #REJECTED_RECORD} or {@value #FAILED_INVOCATION}. */
    public static final String KIND = "ferry.dead-letter.kind";
    public static final String REJECTED_RECORD = "rejected-record";
    public static final String FAILED_INVOCATION = "failed-invocation";
    /** A due timer whose work failed: the timer (JSON); its invocation ended with the reason. */
    public static final String FAILED_TIMER = "failed-timer";
    /** A result that could not be published on its {@code resultTopic}: the {@code InvocationResult}. */
    public static final String UNPUBLISHABLE_RESULT = "unpublishable-result";
    /** An invocation that could not even be ended with a failure: no value, the reason only. */
    public static final String UNPROCESSABLE = "unprocessable";
    /** The size in bytes of a value that was cut to fit (dead-letter records keep at most 1 MiB of it). */
    public static final String ORIGINAL_SIZE = "ferry.dead-letter.original-size";
    /** How many of the record's own headers were left out to keep the dead-letter record small. */
    public static final String DROPPED_HEADERS = "ferry.dead-letter.dropped-headers";
    /** Why the record could not be processed. */
    public static final String REASON = "ferry.dead-letter.reason";
    /** Where the record came from: topic, partition and offset. */
    public static final String TOPIC = "ferry.dead-letter.topic";
    public static final String PARTITION = "ferry.dead-letter.partition";
    public static final String OFFSET = "ferry.dead-letter.offset";

    private DeadLetters() {}
}
