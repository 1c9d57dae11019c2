package dev.ferry.client;

import dev.ferry.schemas.HandOverMark;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.replies.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this ingress instance's answers from the replies topic: the records keyed by its instance id, which all
 * land on one partition (the default partitioner's hash of the key). Reading starts at the end: answers meant
 * for an earlier run of the process have no connection left to go to.
 */
public final class ReplyListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplyListener.class);
    /** Replies delivered in memory that the poll loop may not have read yet, at most. */
    static final int MAX_DELIVERED_IN_MEMORY = 100_000;

    private final String ingressId;
    private final Waiters waiters;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean closed;
    private final int partition;
    /**
     * The marks of the replies delivered in memory ({@link #offer}) that the poll loop has not read yet: each record is
     * delivered once, by whichever path sees it first (the hand-over, as it comes before the send). Twice would not
     * only repeat an answer: an invocation's result delivered again would answer the callers that came to wait for the
     * same invocation since, with the result as the first callers got it (no {@code idempotency-expires}, say) instead
     * of their own answer. Guarded by itself.
     */
    private final DeliveredMarks deliveredInMemory = new DeliveredMarks(MAX_DELIVERED_IN_MEMORY);
    /** When the poll loop last forgot the marks of idle producers (it looks once a minute). */
    private long lastForgotIdle = System.currentTimeMillis();
    /**
     * The pause before the next fetch after one that brought only replies delivered in memory already. It does not
     * grow: this partition also carries replies that are never handed over (the admin API's query answers, written
     * by the processors' query responders, and replies from processors in other processes).
     */
    private final FetchPause fetchPause = new FetchPause(FetchPause.SHORTEST, FetchPause.SHORTEST);

    public ReplyListener(String topic, String ingressId, Waiters waiters, Map<String, String> kafka,
            RecordLimits limits) {
        this.ingressId = ingressId;
        this.waiters = waiters;
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // read_uncommitted: an answer counts as soon as the processor sends it, not at its next commit. A reply
        // from a transaction that later aborts is re-sent identically when the command is processed again.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.putAll(limits.consumerProperties());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        int partitions = consumer.partitionsFor(topic).size();
        partition = Routing.partition(ingressId, partitions);
        TopicPartition mine = new TopicPartition(topic, partition);
        consumer.assign(List.of(mine));
        consumer.seekToEnd(List.of(mine));
        // Resolve the end offset now, before any request can be sent, so no answer is missed.
        consumer.position(mine);
        thread = Thread.ofPlatform().name("ferry-ingress-replies").daemon().unstarted(this::listen);
    }

    public void start() {
        thread.start();
    }

    /** Reading this instance's replies: waiting callers get their answers. */
    public boolean listening() {
        return thread.isAlive() && !closed;
    }

    private void listen() {
        try {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                try {
                    fetchPause.fetching();
                    Fetched fetched = deliver(consumer.poll(Duration.ofMillis(500)));
                    forgetIdleProducers();
                    if (fetched == Fetched.ONLY_DELIVERED_ALREADY) {
                        // This process's processor hands replies over in memory (offer): the fetch only confirmed
                        // them. Fetch less often while that is so, which spares the broker a request per reply;
                        // a reply from elsewhere waits at most the pause more, one offer left to this loop not at
                        // all (FetchPause).
                        fetchPause.pause();
                    } else if (fetched == Fetched.NEWS) {
                        fetchPause.fetchedOthers();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Waiting callers depend on this loop: log, pause briefly, and keep reading.
                    log.error("Reading replies failed; retrying in a second", e);
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("The ingress stopped reading its replies", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** What a fetch brought. */
    private enum Fetched { NOTHING, ONLY_DELIVERED_ALREADY, NEWS }

    private Fetched deliver(Iterable<ConsumerRecord<String, byte[]>> records) {
        Fetched fetched = Fetched.NOTHING;
        for (ConsumerRecord<String, byte[]> record : records) {
            if (readBack(HandOverMark.of(record.headers()))) {
                if (fetched == Fetched.NOTHING) {
                    fetched = Fetched.ONLY_DELIVERED_ALREADY;
                }
                continue;
            }
            if (!ingressId.equals(record.key())) {
                continue; // another ingress instance that shares the partition
            }
            fetched = Fetched.NEWS;
            try {
                waiters.deliver(Json.read(record.value(), Reply.class));
            } catch (IOException e) {
                log.error("Skipping an unreadable reply at offset {}: {}", record.offset(), e.getMessage());
            }
        }
        return fetched;
    }

    /** Whether a record the poll loop read was delivered in memory already (see {@link DeliveredMarks}). */
    private boolean readBack(HandOverMark mark) {
        if (mark == null) {
            return false;
        }
        synchronized (deliveredInMemory) {
            return deliveredInMemory.readBack(mark, System.currentTimeMillis());
        }
    }

    /** Forgets the marks of producers long idle, once a minute, so they do not wait until the bound is reached. */
    private void forgetIdleProducers() {
        long now = System.currentTimeMillis();
        if (now - lastForgotIdle >= 60_000) {
            lastForgotIdle = now;
            synchronized (deliveredInMemory) {
                deliveredInMemory.forgetIdle(now);
            }
        }
    }

    /**
     * A reply record that a processor of this process is writing, handed over as it sends it, before this listener
     * could fetch it: the waiting caller gets its answer a broker round trip and a fetch sooner. The listener reads the
     * record later all the same, and knows it by its {@link HandOverMark}: each record is delivered once.
     */
    public void offer(int partition, byte[] key, byte[] value, Headers headers) {
        if (partition != this.partition || key == null || !ingressId.equals(new String(key, StandardCharsets.UTF_8))) {
            return;
        }
        HandOverMark mark = HandOverMark.of(headers);
        if (mark == null) {
            return; // the poll loop delivers it
        }
        synchronized (deliveredInMemory) {
            if (!deliveredInMemory.add(mark, System.currentTimeMillis())) {
                // The poll loop is far behind or stopped; it delivers the rest itself, without a pause first.
                fetchPause.leftToPollLoop();
                return;
            }
        }
        try {
            waiters.deliver(Json.read(value, Reply.class));
        } catch (IOException e) {
            // the poll loop reads it too, and says what is wrong with it
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        fetchPause.leftToPollLoop(); // ends a pause at once
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
