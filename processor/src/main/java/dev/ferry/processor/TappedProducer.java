package dev.ferry.processor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream thread's producer that also tells {@link ProcessorOutputs} of every record the broker acknowledged. Kafka
 * Streams sends each record with a callback; this one runs Kafka Streams' callback first, then hands the record on.
 *
 * <p>It also sends one command's records together. A command's records (a dispatch or a reply, and the changelog
 * writes of the stores it changed, about five of them) are sent one by one while the command is processed; with
 * {@code linger.ms=0} the producer's I/O thread wakes at the first and sends it alone, then the next, so one command
 * cost up to five produce requests, each a request for the broker to handle and answer (docs/performance.md).
 * Between {@link #holdSends()} and {@link #releaseSends()}, which the processor calls around each command and timer
 * tick on its stream thread, sends are held and then handed to the producer back to back. Back to back is not
 * enough with {@code linger.ms=0}: the I/O thread wakes at the first and usually sends it before the rest are in.
 * So the processor's producer lingers (a few milliseconds, a bound only), and on release a thread of this producer's
 * own calls {@link Producer#flush()}, which sends everything batched at once and waits for the acknowledgements
 * there, not on the stream thread. Everything else goes to the producer unchanged, after the held records.
 */
final class TappedProducer implements Producer<byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(TappedProducer.class);

    /** The producer that sent last on this thread: a stream thread's own (one per thread under exactly-once v2). */
    private static final ThreadLocal<TappedProducer> OF_THIS_THREAD = new ThreadLocal<>();

    private final Producer<byte[], byte[]> producer;
    private final ProcessorOutputs outputs;
    /** Sends held until {@link #release()}; only the stream thread that owns this producer touches them. */
    private final List<HeldSend> held = new ArrayList<>();
    private boolean holding;

    /** Sends what a release handed over without waiting for the linger; null when the producer does not linger. */
    private final Flusher flusher;

    private record HeldSend(ProducerRecord<byte[], byte[]> record, Callback callback) {}

    /** A producer whose released records leave when the producer's own batching sends them. */
    TappedProducer(Producer<byte[], byte[]> producer, ProcessorOutputs outputs) {
        this(producer, outputs, false);
    }

    /**
     * @param flushOnRelease whether a release also has this producer's flush thread send the records at once (for a
     *                       producer that lingers: see the class comment)
     */
    TappedProducer(Producer<byte[], byte[]> producer, ProcessorOutputs outputs, boolean flushOnRelease) {
        this.producer = producer;
        this.outputs = outputs;
        this.flusher = flushOnRelease ? new Flusher() : null;
    }

    /** From now until {@link #releaseSends()}, this thread's producer holds the records sent on it. */
    static void holdSends() {
        TappedProducer producer = OF_THIS_THREAD.get();
        if (producer != null) {
            producer.holding = true;
        }
    }

    /** Hands the records this thread's producer held to Kafka's producer, back to back, and stops holding. */
    static void releaseSends() {
        TappedProducer producer = OF_THIS_THREAD.get();
        if (producer != null) {
            producer.release();
        }
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        if (OF_THIS_THREAD.get() != this) {
            OF_THIS_THREAD.set(this);
        }
        Callback tapped = (metadata, error) -> {
            if (callback != null) {
                callback.onCompletion(metadata, error);
            }
            if (error == null) {
                try {
                    outputs.acknowledged(record.topic(), metadata.partition(), metadata.offset(), record.key(),
                            record.value(), metadata.timestamp());
                } catch (RuntimeException e) {
                    // The record is in Kafka: its readers there still get it. Never fail the producer's thread.
                    log.warn("Handing a {} record to this process's reader failed: {}", record.topic(), e.toString());
                }
            }
        };
        if (!holding) {
            return producer.send(record, tapped);
        }
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        held.add(new HeldSend(record, (metadata, error) -> {
            tapped.onCompletion(metadata, error);
            if (error == null) {
                result.complete(metadata);
            } else {
                result.completeExceptionally(error);
            }
        }));
        return result;
    }

    private void release() {
        holding = false;
        if (held.isEmpty()) {
            return;
        }
        for (HeldSend send : held) {
            try {
                producer.send(send.record(), send.callback());
            } catch (RuntimeException e) {
                // Kafka's producer reports most failures through the callback and throws only in states where the
                // transaction cannot commit anyway (closed, fenced, a fatal error). Report those the same way:
                // Kafka Streams then fails the task at its next send, flush or commit, as it does for any failed
                // send, instead of this surfacing as the failure of whichever command released it.
                send.callback().onCompletion(null, e);
            }
        }
        held.clear();
        if (flusher != null) {
            flusher.request();
        }
    }

    /**
     * The thread that flushes on request. A request while a flush waits is served by the next flush; the records
     * it covers leave at once anyway, since Kafka's producer sends without lingering while any flush is open.
     */
    private final class Flusher implements Runnable {
        private final Thread thread = Thread.ofPlatform().daemon().name("ferry-processor-flush").unstarted(this);
        private volatile boolean requested;
        private volatile boolean closed;

        Flusher() {
            thread.start();
        }

        void request() {
            requested = true;
            LockSupport.unpark(thread);
        }

        void close() {
            closed = true;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            while (!closed) {
                if (!requested) {
                    LockSupport.park(this);
                    continue;
                }
                requested = false;
                try {
                    producer.flush();
                } catch (RuntimeException e) {
                    // Closed or failed: the records still leave when the linger ends, and a failed send is reported
                    // to Kafka Streams through its callback as always.
                    log.debug("Flushing the processor's producer failed: {}", e.toString());
                }
            }
        }
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public void initTransactions() {
        producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
        producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        release();
        producer.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        release();
        producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        release();
        producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        release();
        producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        if (flusher != null) {
            flusher.close();
        }
        producer.close();
    }

    @Override
    public void close(Duration timeout) {
        if (flusher != null) {
            flusher.close();
        }
        producer.close(timeout);
    }
}
