package dev.ferry.client;

import dev.ferry.client.ProcessorClient.Filter;
import dev.ferry.client.ProcessorClient.Listing;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.queries.DescribeInvocation;
import dev.ferry.schemas.queries.DescribeState;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.queries.ListInvocations;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.replies.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The admin API's reads of invocation state: one record on the queries topic, which every processor reads and
 * answers from the partitions it hosts (one reply per partition, on this ingress's replies partition). Nothing is
 * appended to the command log, and no processor's stream thread does the work.
 */
public final class InvocationQueries implements AutoCloseable {
    /** The listing order: newest first, then by invocation id. Keyset paging relies on it being total. */
    static final Comparator<InvocationCursor> LISTING_ORDER =
            Comparator.comparingLong(InvocationCursor::createdAt).reversed()
                    .thenComparing(InvocationCursor::invocationId);

    private final String topic;
    private final String ingressId;
    private final Waiters waiters;
    private final int partitions;
    private final KafkaProducer<String, byte[]> producer;

    /** @param partitions the command log's: a list is complete once every one of them has answered */
    public InvocationQueries(Topics topics, String ingressId, Waiters waiters, int partitions,
            Map<String, String> kafka) {
        this.topic = topics.queries();
        this.ingressId = ingressId;
        this.waiters = waiters;
        this.partitions = partitions;
        Properties props = new Properties();
        // An admin request waits on the send: fail within seconds (503) when the cluster is gone.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.putAll(kafka);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Up to {@code limit} invocations after {@code after} (null: from the newest), merged from every partition's
     * answer that came within {@code maxWait}.
     */
    public Listing list(Filter filter, InvocationCursor after, int limit, Duration maxWait) {
        List<String> requestIds = new ArrayList<>();
        List<CompletableFuture<Reply>> answers = new ArrayList<>();
        try {
            for (int partition = 0; partition < partitions; partition++) {
                String requestId = waiters.nextRequestId();
                requestIds.add(requestId);
                answers.add(waiters.register(requestId));
            }
            // One more than a page from each partition: the only way to know whether more follow.
            send(new ListInvocations(filter.status(), filter.service(), filter.handler(), filter.key(), after,
                    limit + 1, ingressId, requestIds));
            long deadline = System.nanoTime() + maxWait.toNanos();
            List<Reply> replies = new ArrayList<>();
            for (CompletableFuture<Reply> answer : answers) {
                Reply reply = await(answer, Math.max(0, deadline - System.nanoTime()));
                if (reply != null) {
                    replies.add(reply);
                }
            }
            return merge(replies, limit, replies.size() < partitions);
        } finally {
            answers.forEach(answer -> answer.cancel(false));
        }
    }

    /**
     * The partitions' answers as one page. A partition whose scan stopped early has examined the index only up to
     * its {@code scannedTo}; the page keeps what every partition has examined (up to the earliest such stop), so
     * that the next page, starting there, neither skips nor repeats an invocation.
     */
    static Listing merge(List<Reply> replies, int limit, boolean partial) {
        InvocationCursor examinedTo = null;
        for (Reply reply : replies) {
            if (reply.scannedTo() != null
                    && (examinedTo == null || LISTING_ORDER.compare(reply.scannedTo(), examinedTo) < 0)) {
                examinedTo = reply.scannedTo();
            }
        }
        Set<InvocationId> seen = new HashSet<>();
        List<InvocationView> kept = new ArrayList<>();
        for (Reply reply : replies) {
            for (InvocationView view : reply.invocations()) {
                if ((examinedTo == null || LISTING_ORDER.compare(cursorOf(view), examinedTo) <= 0)
                        && seen.add(view.id())) {
                    kept.add(view);
                }
            }
        }
        kept.sort(Comparator.comparing(InvocationQueries::cursorOf, LISTING_ORDER));
        if (kept.size() > limit) {
            List<InvocationView> page = List.copyOf(kept.subList(0, limit));
            return new Listing(page, cursorOf(page.get(limit - 1)), partial);
        }
        return new Listing(List.copyOf(kept), examinedTo, partial);
    }

    static InvocationCursor cursorOf(InvocationView view) {
        return new InvocationCursor(view.createdAtMillis(), view.id().toString());
    }

    /** The invocation's view from the processor that hosts its partition; empty when none answered in time. */
    public Optional<Reply> describe(InvocationId invocationId, Duration maxWait) {
        String requestId = waiters.nextRequestId();
        CompletableFuture<Reply> answer = waiters.register(requestId);
        try {
            send(new DescribeInvocation(invocationId, new ReplyTo(ingressId, requestId)));
            return Optional.ofNullable(await(answer, maxWait.toNanos()));
        } finally {
            answer.cancel(false);
        }
    }

    /**
     * The state of a virtual object or workflow key from the processor that hosts the key's partition: a
     * {@link Reply.Kind#STATE} reply (no entries when the key has no state), a {@link Reply.Kind#REJECTED} one when it
     * cannot be answered; empty when none answered in time.
     */
    public Optional<Reply> describeState(String service, String key, Duration maxWait) {
        String requestId = waiters.nextRequestId();
        CompletableFuture<Reply> answer = waiters.register(requestId);
        try {
            send(new DescribeState(service, key, new ReplyTo(ingressId, requestId)));
            return Optional.ofNullable(await(answer, maxWait.toNanos()));
        } finally {
            answer.cancel(false);
        }
    }

    private void send(InvocationQuery query) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, null, Json.write(query))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessorUnavailable(503, "the admin API is shutting down");
        } catch (ExecutionException e) {
            throw new ProcessorUnavailable(503, "could not reach the queries topic " + topic + ": " + e.getCause().getMessage());
        }
    }

    /** The answer, or null when none came within the time. */
    private static Reply await(CompletableFuture<Reply> answer, long maxWaitNanos) {
        try {
            return answer.get(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessorUnavailable(503, "the admin API is shutting down");
        } catch (ExecutionException e) {
            throw new IllegalStateException("an answer cannot fail", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
