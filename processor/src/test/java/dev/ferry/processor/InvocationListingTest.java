package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.RetryPolicy;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.results.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listing through the {@code invocations-by-time} index, against the processor's real (RocksDB) stores in Kafka
 * Streams' test driver: the index follows the invocations, pages come newest first with each invocation once, and
 * a page's work is bounded whatever the filter.
 */
class InvocationListingTest {
    private static final Topics TOPICS = new Topics("ferry.");
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment("dp_1test", "http://127.0.0.1:9080",
            0, 1, List.of(new ServiceManifest("Greeter", null, ServiceType.SERVICE, List.of(
                    handler("greet"), handler("other")),
                    null, null, null, null, null, null, null, null, null, null, null, null, null))), 0);

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> log;
    private TestInputTopic<String, byte[]> requests;
    private TestOutputTopic<String, byte[]> deadLetters;
    private KeyValueStore<String, InvocationState> invocations;
    private KeyValueStore<String, byte[]> invocationsByTime;
    private InvocationListing listing;
    private int requestCount;

    private static HandlerManifest handler(String name) {
        return new HandlerManifest(name, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    @BeforeEach
    void start() throws Exception {
        Properties props = TestDrivers.props(TOPICS, "listing");
        ProcessorSettings settings = new ProcessorSettings(
                Policies.uniform(RetryPolicy.DEFAULT, Duration.ofHours(1)), () -> REGISTRY, 1,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        driver = new TopologyTestDriver(ProcessorTopology.build(TOPICS, settings, CommandLogAccess.NONE, new SimpleMeterRegistry()), props,
                START);
        // Commands carry their log-append time, which is the processor's clock: the wall clock's, here.
        log = driver.createInputTopic(TOPICS.log(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        requests = driver.createInputTopic(TOPICS.requests(), new StringSerializer(), new ByteArraySerializer(), START,
                Duration.ZERO);
        deadLetters = driver.createOutputTopic(TOPICS.deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
        invocations = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS);
        invocationsByTime = driver.getKeyValueStore(ProcessorTopology.INVOCATIONS_BY_TIME);
        listing = new InvocationListing(invocationsByTime, invocations);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Time passes for the wall clock and for the commands appended from now on alike. */
    private void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        log.advanceTime(duration);
        requests.advanceTime(duration);
    }

    @Test
    void theIndexHasAnEntryForEveryInvocationAndLosesItWithTheInvocation() {
        Invoke first = call("greet");
        advance(Duration.ofMillis(5));
        Invoke second = call("greet");
        pipe(new Completion(first.invocationId(), 1, Outcome.success(200, null, Payload.EMPTY)));
        pipe(new AttemptFailed(second.invocationId(), 1, new Failure(500, "down"), null));

        assertThat(indexKeys()).as("one entry each, however often the invocation changed; newest first")
                .containsExactly(InvocationsByTime.key(START.toEpochMilli() + 5, second.invocationId().toString()),
                        InvocationsByTime.key(START.toEpochMilli(), first.invocationId().toString()));

        pipe(new Purge(first.invocationId(), new ReplyTo("admin", "r-purge")));
        assertThat(invocations.get(first.invocationId().toString())).isNull();
        assertThat(indexKeys())
                .containsExactly(InvocationsByTime.key(START.toEpochMilli() + 5, second.invocationId().toString()));
    }

    @Test
    void pagingOverMoreInvocationsThanAPageGivesEachOnceNewestFirst() {
        List<InvocationId> created = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            created.add(call("greet").invocationId());
            if (i % 3 == 0) {
                advance(Duration.ofMillis(1)); // and some created in the same millisecond
            }
        }
        List<InvocationId> paged = new ArrayList<>();
        InvocationCursor after = null;
        int pages = 0;
        do {
            InvocationListing.Page page = listing.page(InvocationListing.Filter.ANY, after, 50, 10_000);
            page.invocations().forEach(view -> paged.add(view.id()));
            after = page.scannedTo();
            pages++;
        } while (after != null && pages < 10);

        assertThat(pages).isEqualTo(3);
        assertThat(paged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
        List<InvocationCursor> order = new ArrayList<>();
        for (InvocationId id : paged) {
            order.add(new InvocationCursor(invocations.get(id.toString()).createdAt(), id.toString()));
        }
        assertThat(order).isSortedAccordingTo(java.util.Comparator.comparingLong(InvocationCursor::createdAt)
                .reversed().thenComparing(InvocationCursor::invocationId));
    }

    @Test
    void aFilterThatMatchesNothingStopsAfterTheBoundAndSaysWhere() {
        for (int i = 0; i < 250; i++) {
            call("greet");
            advance(Duration.ofMillis(1));
        }
        InvocationListing.Filter nothing = new InvocationListing.Filter(null, "Greeter", "other", null);

        InvocationListing.Page first = listing.page(nothing, null, 50, 100);
        assertThat(first.invocations()).isEmpty();
        assertThat(first.scannedTo()).as("stopped at the 100th newest").isEqualTo(InvocationsByTime.cursor(nthKey(100)));

        InvocationListing.Page second = listing.page(nothing, first.scannedTo(), 50, 100);
        assertThat(second.scannedTo()).as("went on from there").isEqualTo(InvocationsByTime.cursor(nthKey(200)));
        InvocationListing.Page last = listing.page(nothing, second.scannedTo(), 50, 100);
        assertThat(last.invocations()).isEmpty();
        assertThat(last.scannedTo()).as("reached the end").isNull();
    }

    @Test
    void filtersByStatusServiceHandlerAndKeyAndStopsAfterALimitOfMatches() {
        Invoke done = call("greet");
        advance(Duration.ofMillis(1));
        Invoke other = call("other");
        advance(Duration.ofMillis(1));
        Invoke running = call("greet");
        pipe(new Completion(done.invocationId(), 1, Outcome.failure(400, "x".repeat(5_000))));

        assertThat(ids(listing.page(new InvocationListing.Filter("completed", null, null, null), null, 10, 100)))
                .containsExactly(done.invocationId());
        assertThat(ids(listing.page(new InvocationListing.Filter("running", "Greeter", "greet", null), null, 10, 100)))
                .containsExactly(running.invocationId());
        assertThat(ids(listing.page(new InvocationListing.Filter(null, null, "other", null), null, 10, 100)))
                .containsExactly(other.invocationId());
        assertThat(ids(listing.page(new InvocationListing.Filter(null, null, null, "no-such-key"), null, 10, 100)))
                .isEmpty();

        InvocationListing.Page two = listing.page(InvocationListing.Filter.ANY, null, 2, 100);
        assertThat(ids(two)).containsExactly(running.invocationId(), other.invocationId());
        assertThat(two.scannedTo())
                .isEqualTo(new InvocationCursor(START.toEpochMilli() + 1, other.invocationId().toString()));

        InvocationView listed = listing.page(new InvocationListing.Filter("completed", null, null, null), null, 10, 100)
                .invocations().get(0);
        assertThat(listed.completionFailure().message()).as("capped in a list")
                .hasSizeLessThan(InvocationListing.LISTED_FAILURE_CHARS + 40)
                .endsWith("(4000 more characters)");
        assertThat(listing.describe(done.invocationId()).completionFailure().message()).as("whole when described")
                .isEqualTo("x".repeat(5_000));
        assertThat(listing.describe(InvocationIds.forSubmission(Target.service("Greeter", "greet"), "nobody")))
                .isNull();
    }

    @Test
    void invocationsFromBeforeTheIndexAreIndexedOnce() {
        Invoke first = call("greet");
        Invoke second = call("greet");
        for (String key : indexKeys()) {
            invocationsByTime.delete(key); // as in a data directory from before the index
        }
        StoreBackedState state = TestDrivers.storeBackedState(driver);
        assertThat(state.indexIfUnindexed()).isEqualTo(2);
        assertThat(indexKeys()).containsExactlyInAnyOrder(
                InvocationsByTime.key(START.toEpochMilli(), first.invocationId().toString()),
                InvocationsByTime.key(START.toEpochMilli(), second.invocationId().toString()));
        assertThat(state.indexIfUnindexed()).as("once").isZero();
    }

    @Test
    void listAndDescribeRecordsOnTheCommandLogAreDeadLetteredAsUnknownTypes() {
        log.pipeInput("list", ("{\"type\":\"ListInvocations\",\"partition\":0,\"limit\":10,"
                + "\"replyTo\":{\"ingressId\":\"i\",\"requestId\":\"r\"}}").getBytes(StandardCharsets.UTF_8));
        log.pipeInput("d", ("{\"type\":\"Describe\",\"invocationId\":\"inv_1aaaaaaaaaaaa5ZZZZZZZZZZZZZZZZZZZZZ\","
                + "\"replyTo\":{\"ingressId\":\"i\",\"requestId\":\"r\"}}").getBytes(StandardCharsets.UTF_8));
        Invoke after = call("greet");

        for (String type : List.of("ListInvocations", "Describe")) {
            assertThat(new String(deadLetters.readRecord().headers().lastHeader(DeadLetters.REASON).value(),
                    StandardCharsets.UTF_8)).contains("unknown record type '" + type + "'");
        }
        assertThat(invocations.get(after.invocationId().toString())).as("the next command runs").isNotNull();
    }

    private String nthKey(int n) {
        return indexKeys().get(n - 1);
    }

    private List<String> indexKeys() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = invocationsByTime.all()) {
            all.forEachRemaining((KeyValue<String, byte[]> entry) -> keys.add(entry.key));
        }
        return keys;
    }

    private static List<InvocationId> ids(InvocationListing.Page page) {
        return page.invocations().stream().map(InvocationView::id).toList();
    }

    private Invoke call(String handler) {
        Target target = Target.service("Greeter", handler);
        Invoke invoke = new Invoke(InvocationIds.forSubmission(target, null), target, null,
                "application/json", List.of(), Payload.ofUtf8("{}"), null, null, false,
                new ReplyTo("ingress-1", "req-" + (++requestCount)), false, START.toEpochMilli(), null);
        pipe(invoke);
        return invoke;
    }

    /** Dispatchers' outcomes are on the log; what an ingress asks, with its caller, on the requests topic. */
    private void pipe(Command command) {
        boolean fromDispatcher = command instanceof Completion || command instanceof AttemptFailed;
        (fromDispatcher ? log : requests).pipeInput(command.invocationId().toString(), Json.write(command));
    }
}
