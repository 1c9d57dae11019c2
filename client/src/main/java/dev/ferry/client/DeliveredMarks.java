package dev.ferry.client;

import dev.ferry.schemas.HandOverMark;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The marks of the replies a {@link ReplyListener} delivered in memory and has not read back from its partition yet,
 * by producer, in the order they were sent. Each reply is delivered once, by whichever path sees it first.
 *
 * <p>A mark whose send failed never comes back. One of a producer that goes on sending is forgotten when a later mark
 * of the same producer is read back. A producer that died right after a failed send (its stream thread replaced, with
 * a producer of a new number) sends nothing more, so its last marks would stay: they are forgotten once the producer
 * has been idle for {@link #IDLE}, neither handing over nor read back. Without that, the marks of producers that died
 * one by one would fill the bound over weeks, and the hand-over would stay off until a restart. A live producer idle
 * that long (its broker away for minutes: its transaction has timed out long before) whose record is read back later
 * gets that reply delivered a second time, to callers of the same invocation: the same result, which is why the idle
 * time is long.
 *
 * <p>Not thread-safe: the listener guards it.
 */
final class DeliveredMarks {
    /** How long a producer's marks stay after its last mark was handed over or read back. */
    static final Duration IDLE = Duration.ofMinutes(10);

    private final int bound;
    private final Map<Long, Sent> byProducer = new HashMap<>();
    private int count;

    private static final class Sent {
        final ArrayDeque<Long> sequences = new ArrayDeque<>();
        long lastActive;
    }

    /** @param bound how many marks it keeps at most */
    DeliveredMarks(int bound) {
        this.bound = bound;
    }

    /**
     * Remembers a mark handed over at {@code nowMillis}.
     *
     * @return false when the bound is reached even after forgetting idle producers: the reply is then left to the
     *     poll loop
     */
    boolean add(HandOverMark mark, long nowMillis) {
        if (count >= bound) {
            forgetIdle(nowMillis);
            if (count >= bound) {
                return false;
            }
        }
        Sent sent = byProducer.computeIfAbsent(mark.producer(), producer -> new Sent());
        sent.sequences.addLast(mark.sequence());
        sent.lastActive = nowMillis;
        count++;
        return true;
    }

    /**
     * Whether a record read back from the topic at {@code nowMillis} was delivered in memory already. A mark of the
     * same producer handed over before it and not read back never will be (its send failed), and is forgotten.
     */
    boolean readBack(HandOverMark mark, long nowMillis) {
        Sent sent = byProducer.get(mark.producer());
        if (sent == null) {
            return false;
        }
        sent.lastActive = nowMillis;
        while (!sent.sequences.isEmpty() && sent.sequences.peekFirst() < mark.sequence()) {
            sent.sequences.pollFirst();
            count--;
        }
        boolean delivered = !sent.sequences.isEmpty() && sent.sequences.peekFirst() == mark.sequence();
        if (delivered) {
            sent.sequences.pollFirst();
            count--;
        }
        if (sent.sequences.isEmpty()) {
            byProducer.remove(mark.producer());
        }
        return delivered;
    }

    /** Forgets the marks of producers idle for {@link #IDLE}. */
    void forgetIdle(long nowMillis) {
        for (Iterator<Sent> producers = byProducer.values().iterator(); producers.hasNext(); ) {
            Sent sent = producers.next();
            if (nowMillis - sent.lastActive >= IDLE.toMillis()) {
                count -= sent.sequences.size();
                producers.remove();
            }
        }
    }

    int size() {
        return count;
    }
}
