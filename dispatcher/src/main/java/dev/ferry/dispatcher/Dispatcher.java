package dev.ferry.dispatcher;

import dev.ferry.client.CommandLog;
import dev.ferry.client.FetchPause;
import dev.ferry.http.H2cClients;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.RegistryView;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.LogContext;
import dev.ferry.schemas.Topics;
import dev.ferry.schemas.Tracing;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.RenewLease;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.dispatch.AbortAttempt;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.DispatcherCommand;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher role: a member of the dispatchers' consumer group on the dispatch topic. Each attempt runs on
 * its own virtual thread, so a slow handler holds up nothing but itself; while a call is open the dispatcher
 * renews the attempt's lease on the command log, and when it ends it appends the outcome there.
 *
 * <p>Offsets are committed as records are taken, not when calls end: a dispatcher that dies mid-call stops
 * renewing its leases, and the processor dispatches those attempts again. Holding offsets back instead would
 * let one hour-long call pin every record behind it.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * The terminal failure of an attempt on a service written with a Restate SDK that came without a journal to
     * replay: dispatched by a processor that does not run such services (yet), or for an invocation that began while
     * the service spoke Ferry's plain contract. Retrying cannot help: the SDK needs the journal.
     */
    static final String SERVICE_PROTOCOL_NOT_RUNNABLE = "service '%s' (deployment %s) is written with a Restate SDK "
            + "and speaks Restate's service protocol (v%d), but this attempt came without the journal the protocol "
            + "replays: the processor that dispatched it cannot run them yet. Serve the handler with Ferry's plain "
            + "HTTP contract meanwhile";
    /**
     * The terminal failure of an attempt that carries a journal, on a service whose deployment now speaks Ferry's
     * plain contract (re-registered mid-invocation): the plain contract has no way to replay it.
     */
    static final String PLAIN_SERVICE_WITH_JOURNAL = "service '%s' (deployment %s) speaks Ferry's plain HTTP "
            + "contract, but this invocation began in Restate's service protocol and has a journal that contract "
            + "cannot replay";
    /**
     * Finished attempts remembered (about 100 bytes each): a redo covers what the processor had not committed, a
     * second or so of dispatches, and this is several seconds' worth at full speed.
     */
    static final int FINISHED_REMEMBERED = 20_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final CommandLog commandLog;
    private final RegistryView registry;
    private final ServiceCall serviceCall;
    private final ProtocolCall protocolCall;
    private final DispatcherSettings settings;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService renewals;
    /** The open call of each invocation (at most one: a newer attempt supersedes an older one). */
    private final Map<InvocationId, InFlight> inFlight = new ConcurrentHashMap<>();
    /**
     * The attempts whose outcome this dispatcher appended, newest last, at most {@link #FINISHED_REMEMBERED}. A
     * processor that crashed and reads its log again sends some of its dispatches again: one that ran here already
     * is not run twice (its outcome is in the log, and the processor reads it there).
     */
    private final Map<Attempt, Boolean> finished = Collections.synchronizedMap(
            new LinkedHashMap<>(1_024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Attempt, Boolean> eldest) {
                    return size() > FINISHED_REMEMBERED;
                }
            });
    /** How long a drain waits, after the last call ended, for the records of attempts taken in memory. */
    static final Duration CONFIRM_WHEN_DRAINING = Duration.ofSeconds(2);
    /**
     * Attempts handed over in memory ({@link #offer}) that the poll loop has not read from the topic yet: when it
     * does, the record is the same attempt again, not a repeat to count. Bounded like {@link #finished}, for the
     * records a rebalance takes elsewhere before this dispatcher reads them.
     */
    private final Set<Attempt> takenInMemory = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(1_024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Attempt, Boolean> eldest) {
                    return size() > FINISHED_REMEMBERED;
                }
            }));
    /**
     * Records fetched but not taken: the dispatcher was at its limit of open calls. In fetch order, and only the poll
     * loop's; nothing more is fetched until they are all taken, so what precedes each partition's first record here
     * has been taken already. Their offsets are not committed, so the processor sees these attempts as not taken.
     */
    private final ArrayDeque<Fetched> fetched = new ArrayDeque<>();
    /** How many fetched records wait for room (the poll loop's count, for {@link #offer} and the gauge). */
    private volatile int queued;
    /** The next offset to commit of each owned partition: just after the last record taken. Poll loop only. */
    private final Map<TopicPartition, OffsetAndMetadata> taken = new HashMap<>();
    /** The dispatch partitions the group gave this dispatcher, as of its last rebalance. */
    private volatile Set<Integer> owned = Set.of();
    /**
     * When this process's processor last handed over a dispatch of each partition (epoch milliseconds): a partition
     * it handed one over within {@link #PROCESSED_HERE} is taken to be processed here.
     */
    private final Map<Integer, Long> lastHandedOver = new ConcurrentHashMap<>();
    static final long PROCESSED_HERE = 10_000;
    private final Thread pollThread;
    private final HttpClient httpClient;
    /** HTTP/2 cleartext with prior knowledge, for Restate SDK deployments that speak nothing else. */
    private final OkHttpClient h2cClient;
    private final MeterRegistry meters;
    private volatile boolean closed;
    /** Shutting down gracefully: take no new attempts, let the open calls finish. */
    private volatile boolean draining;
    /**
     * When this process last came back from a stall (SIGSTOP, a long GC pause, a starved machine): the poll loop or
     * the lease ticker found more than {@link #STALL} between two of its rounds. 0 before any.
     */
    private volatile long stalledUntil;
    private volatile long lastPoll = System.currentTimeMillis();
    /** The poll loop stood still and has not yet confirmed that its partitions are still its own (see stillOwns). */
    private volatile boolean ownershipUnsure;
    private volatile long lastTick = System.currentTimeMillis();
    /** Longer than this between two rounds of a loop that runs every 100–200 ms: the process stood still. */
    static final long STALL = 1_000;

    /** How often a dispatcher at its limit of open calls looks for room: a call's end waits at most this long. */
    static final Duration ROOM_CHECK = Duration.ofMillis(10);
    private final FetchPause fetchPause = new FetchPause(FetchPause.SHORTEST, FetchPause.LONGEST);

    /**
     * A record fetched from the dispatch topic and not taken yet.
     *
     * @param command   null when the record is unreadable (taken as it comes, to skip it)
     * @param timestamp the record's time: when the processor dispatched the attempt
     * @param headers   the record's headers: the processor's trace context, when tracing
     * @param fetchedAt when this dispatcher fetched it
     */
    private record Fetched(TopicPartition partition, long offset, DispatcherCommand command, long timestamp,
            Headers headers, long fetchedAt) {}

    /** One open call: its attempt, the thread that runs it, and whether it was asked to stop. */
    private static final class InFlight {
        final Dispatch dispatch;
        final long startedAt;
        volatile long lastRenewal;
        volatile Thread thread;
        /** Cancelled or killed: report the attempt as failed, so the processor can end the invocation. */
        volatile boolean aborted;
        /** A newer attempt of the invocation arrived: this one's outcome no longer counts, report nothing. */
        volatile boolean superseded;
        /** Not sent after all: the process stood still between taking the attempt and sending it (mayStillSend). */
        volatile boolean withheld;

        InFlight(Dispatch dispatch, long now) {
            this.dispatch = dispatch;
            this.startedAt = now;
            this.lastRenewal = now;
        }
    }

    /** What {@link #prepare} answers for an attempt that ran, or runs, here already: nothing more to start. */
    private static final InFlight RAN_ALREADY = new InFlight(null, 0);

    public Dispatcher(
            Topics topics,
            DispatcherSettings settings,
            Map<String, String> kafka,
            CommandLog commandLog,
            RegistryView registry,
            MeterRegistry meters) {
        this.settings = settings;
        this.meters = meters;
        this.commandLog = commandLog;
        this.registry = registry;
        Properties props = new Properties();
        // A dispatcher that dies holds its partitions until its group session times out; Kafka's default (45 s)
        // would hold new attempts that long. Configurable through FERRY_KAFKA_SESSION_TIMEOUT_MS.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        props.putAll(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.dispatcherGroup());
        // read_uncommitted: a dispatch is visible as soon as the processor sends it, instead of at its next
        // transaction commit. Safe because the processor decides the same again (its time and timers are the log's):
        // if its transaction aborts, its successor holds the attempts it starts again until it has committed, then
        // sends only those still running; an attempt that ran here already is not run twice (see `finished`), and
        // an outcome is only counted for the current attempt.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Offsets are committed right after each batch is taken (see pollOnce), not every 5 s as auto-commit does:
        // a dispatcher taking over partitions would otherwise run again up to 5 s of attempts that finished here.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(settings.limits().consumerProperties());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.dispatch()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                disown(partitions);
                // What was taken here is committed before the partitions move, so their next owner does not run it
                // again; what was fetched and not taken is its to take.
                Map<TopicPartition, OffsetAndMetadata> leaving = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    OffsetAndMetadata next = taken.remove(partition);
                    if (next != null) {
                        leaving.put(partition, next);
                    }
                }
                fetched.removeIf(record -> partitions.contains(record.partition()));
                queued = fetched.size();
                if (!leaving.isEmpty()) {
                    try {
                        consumer.commitSync(leaving, Duration.ofSeconds(5));
                    } catch (RuntimeException e) {
                        log.warn("Committing the offsets of the dispatch partitions leaving this dispatcher failed:"
                                + " {}", e.toString());
                    }
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                disown(partitions);
                partitions.forEach(taken::remove);
                fetched.removeIf(record -> partitions.contains(record.partition()));
                queued = fetched.size();
            }

            /** Under the lock an attempt handed over in memory is registered with (takeInMemory). */
            private void disown(Collection<TopicPartition> partitions) {
                synchronized (Dispatcher.this) {
                    Set<Integer> left = new HashSet<>(owned);
                    partitions.forEach(partition -> left.remove(partition.partition()));
                    owned = Set.copyOf(left);
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                Set<Integer> now = new HashSet<>(owned);
                partitions.forEach(partition -> now.add(partition.partition()));
                owned = Set.copyOf(now);
            }
        });
        httpClient = Http11Clients.create(settings.connectTimeout());
        serviceCall = new ServiceCall(httpClient, settings.limits().maxBodyBytes());
        h2cClient = H2cClients.builder(settings.connectTimeout()).build();
        protocolCall = new ProtocolCall(httpClient, h2cClient, settings.limits());
        renewals = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("ferry-dispatcher-leases").daemon().unstarted(r));
        pollThread = Thread.ofPlatform().name("ferry-dispatcher-poll").unstarted(this::pollLoop);
        new KafkaClientMetrics(consumer).bindTo(meters);
        Gauge.builder("ferry.dispatch.in.flight", inFlight, Map::size)
                .description("Calls to services open right now").register(meters);
        Gauge.builder("ferry.dispatch.queued", this, dispatcher -> dispatcher.queued)
                .description("Attempts fetched that wait for a call to end (at the limit of open calls)")
                .register(meters);
    }

    public void start() {
        pollThread.start();
        renewals.scheduleWithFixedDelay(this::renewLeases, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** Attempts whose HTTP call is open right now. */
    public int inFlight() {
        return inFlight.size();
    }

    private void pollLoop() {
        try {
            while (!closed) {
                try {
                    pollOnce();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Attempts wait for this loop: log, pause briefly, and keep polling.
                    log.error("The dispatcher's poll failed; retrying in a second", e);
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("The dispatcher stopped polling", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                if (!taken.isEmpty()) {
                    consumer.commitSync(taken, Duration.ofSeconds(5));
                }
            } catch (RuntimeException e) {
                log.warn("Committing the dispatch topic's offsets on the way out failed: {}", e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The poll loop runs: attempts reach this dispatcher. */
    public boolean polling() {
        return pollThread.isAlive() && !closed;
    }

    /**
     * Stops taking attempts and waits up to {@code timeout} for the open calls to finish and report, so a
     * shutdown does not make their invocations wait for a lease to lapse. The group membership stays (polling goes
     * on, paused) until {@link #close()}, so the partitions do not move twice.
     *
     * @return the calls still open when the time was up
     */
    public int drain(Duration timeout) throws InterruptedException {
        synchronized (this) {
            // Under the lock an attempt handed over in memory is registered with (takeInMemory): one that was not
            // yet sees the drain and is left to the poll loop; one that was is in inFlight, and waited for below.
            draining = true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // An attempt taken in memory (offer) is committed past only when the poll loop reads its record back, and
        // the poll loop goes on fetching for that while draining: otherwise the next dispatcher of its partition
        // reads it as never taken and runs it again. Bounded, since a record a rebalance took elsewhere, or whose
        // send failed, never comes back here.
        long confirmDeadline = Math.min(deadline, System.nanoTime() + CONFIRM_WHEN_DRAINING.toNanos());
        while (!takenInMemory.isEmpty() && System.nanoTime() < confirmDeadline) {
            Thread.sleep(20);
        }
        return inFlight.size();
    }

    private void pollOnce() {
        // Back-pressure: fetch nothing while the configured number of calls is open, while fetched attempts still
        // wait for room, or when draining for a shutdown, once every attempt taken in memory was read back (drain).
        boolean full = (draining && takenInMemory.isEmpty()) || inFlight.size() >= settings.maxInFlight()
                || !fetched.isEmpty();
        if (full) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        // Paused, the poll only keeps the membership alive: come back soon to take what a call's end made room for.
        fetchPause.fetching();
        ConsumerRecords<String, byte[]> records = consumer.poll(full ? ROOM_CHECK : Duration.ofMillis(100));
        long polledAt = System.currentTimeMillis();
        if (polledAt - lastPoll > STALL) {
            ownershipUnsure = true;
        }
        noteStall(polledAt - lastPoll, polledAt);
        lastPoll = polledAt;
        if (ownershipUnsure && !records.isEmpty()) {
            if (!stillOwns(records)) {
                return;
            }
            ownershipUnsure = false;
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            try {
                fetched.addLast(new Fetched(partition, record.offset(),
                        Json.read(record.value(), DispatcherCommand.class), record.timestamp(), record.headers(),
                        polledAt));
            } catch (IOException e) {
                log.error("Skipping an unreadable dispatch record at {}-{}@{}: {}",
                        record.topic(), record.partition(), record.offset(), e.getMessage());
                fetched.addLast(new Fetched(partition, record.offset(), null, record.timestamp(), null, polledAt));
            }
        }
        queued = fetched.size();
        boolean onlyTakenInMemory = takeFetched();
        queued = fetched.size();
        if (onlyTakenInMemory && !records.isEmpty()) {
            // This process's processor hands its dispatches over in memory (offer): the fetch only confirmed them.
            // Fetch (and commit) less often while that is so, which spares the broker two requests per attempt; an
            // attempt dispatched from elsewhere waits at most the pause more, one the hand-over left to this loop not
            // at all (FetchPause). The pause grows only while every partition this dispatcher owns is processed
            // here: a processor in another process may dispatch on the others at any time.
            if (!allProcessedHere(polledAt)) {
                fetchPause.fetchedOthers();
            }
            fetchPause.pause();
        } else if (!records.isEmpty()) {
            fetchPause.fetchedOthers();
        }
    }

    /** Whether this process's processor handed over dispatches of every partition this dispatcher owns lately. */
    private boolean allProcessedHere(long now) {
        for (int partition : owned) {
            Long last = lastHandedOver.get(partition);
            if (last == null || now - last > PROCESSED_HERE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the fetched records in order while there is room for another call, and commits the offsets of what it
     * took. What it could not take stays fetched and uncommitted: the processor sees that no dispatcher has taken
     * those attempts yet (so their leases have not begun), and if the partition moves, its next owner takes them.
     *
     * @return whether every record taken was an attempt taken in memory already (see {@link #offer})
     */
    private boolean takeFetched() {
        // A dispatcher taking over partitions reads the attempts its predecessor had not committed. Some are over
        // already (their lease lapsed: the processor aborted them, and may have dispatched a newer attempt): run
        // only the newest attempt of each invocation fetched, and none that a fetched record aborts.
        Map<InvocationId, Integer> newest = new HashMap<>();
        Set<Attempt> aborted = new HashSet<>();
        for (Fetched record : fetched) {
            switch (record.command()) {
                case Dispatch dispatch -> newest.merge(dispatch.invocationId(), dispatch.attempt(), Math::max);
                case AbortAttempt abort -> aborted.add(new Attempt(abort.invocationId(), abort.attempt()));
                case null -> { }
            }
        }
        boolean onlyTakenInMemory = true;
        Map<TopicPartition, OffsetAndMetadata> progress = new HashMap<>();
        take:
        while (!fetched.isEmpty()) {
            Fetched record = fetched.peekFirst();
            switch (record.command()) {
                case Dispatch dispatch -> {
                    Attempt attempt = new Attempt(dispatch.invocationId(), dispatch.attempt());
                    synchronized (this) {
                        if (!takenInMemory.contains(attempt)) {
                            onlyTakenInMemory = false;
                            if (dispatch.attempt() == newest.get(dispatch.invocationId())
                                    && !aborted.contains(attempt)) {
                                if (draining || inFlight.size() >= settings.maxInFlight()) {
                                    break take;
                                }
                                start(dispatch, record.timestamp(), record.headers(), record.fetchedAt());
                            }
                        }
                        takenInMemory.remove(attempt);
                    }
                }
                case AbortAttempt abort -> {
                    onlyTakenInMemory = false;
                    abort(abort);
                }
                case null -> onlyTakenInMemory = false;
            }
            fetched.removeFirst();
            progress.put(record.partition(), new OffsetAndMetadata(record.offset() + 1));
        }
        if (!progress.isEmpty()) {
            taken.putAll(progress);
            consumer.commitAsync(progress, (offsets, error) -> {
                if (error != null) {
                    log.warn("Committing the dispatch topic's offsets failed: {}", error.toString());
                }
            });
        }
        return onlyTakenInMemory;
    }

    /**
     * A dispatch record that the processor of this process wrote, handed over as soon as the broker acknowledged it
     * (see {@code ProcessorOutputs}): the attempt starts now instead of when the poll loop fetches the record. The
     * record is the same one the poll loop reads later, so the guarantees are those of reading it there: the
     * partition must be this dispatcher's, and when it is not sure of that (after a stall, while draining, at its
     * limit of open calls) it leaves the record to the poll loop. The poll loop then skips it as taken already.
     */
    public void offer(int partition, byte[] value, long dispatchedAt) {
        offer(partition, value, null, dispatchedAt);
    }

    /** The same, with the record's headers (the processor's trace context, when tracing); null for none. */
    public void offer(int partition, byte[] value, Headers headers, long dispatchedAt) {
        lastHandedOver.put(partition, System.currentTimeMillis());
        if (!mayTakeInMemory(partition)) {
            return;
        }
        // Read and started on the attempt's own virtual thread: this is the processor's stream thread, which has
        // every partition's next command waiting behind it.
        calls.execute(() -> takeInMemory(partition, value, headers, dispatchedAt));
    }

    /** Whether an attempt handed over in memory may start here, or must be left to the poll loop. */
    private boolean mayTakeInMemory(int partition) {
        if (closed || draining || !owned.contains(partition)) {
            return false;
        }
        if (ownershipUnsure || queued > 0 || System.currentTimeMillis() - lastPoll > STALL
                || inFlight.size() >= settings.maxInFlight()) {
            // The poll loop takes it, in its turn: it may be busy with a fetch right now (queued), so it must not
            // pause before its next one.
            fetchPause.leftToPollLoop();
            return false;
        }
        return true;
    }

    /** Runs on a virtual thread of its own, which becomes the attempt's when it starts here. */
    private void takeInMemory(int partition, byte[] value, Headers headers, long dispatchedAt) {
        DispatcherCommand command;
        try {
            command = Json.read(value, DispatcherCommand.class);
        } catch (IOException e) {
            return; // the poll loop reads it too, and says what is wrong with it
        }
        if (!(command instanceof Dispatch dispatch)) {
            // An abort is not run from here: the poll loop takes it, without waiting for the end of a pause.
            fetchPause.leftToPollLoop();
            return;
        }
        Attempt attempt = new Attempt(dispatch.invocationId(), dispatch.attempt());
        InFlight call;
        synchronized (this) {
            // Asked again: a drain, a lost partition or another attempt may have come since the offer.
            if (!mayTakeInMemory(partition)) {
                return;
            }
            InFlight running = inFlight.get(dispatch.invocationId());
            if (finished.containsKey(attempt) || (running != null && running.dispatch.attempt() >= dispatch.attempt())) {
                return; // the poll loop was first
            }
            call = prepare(dispatch, dispatchedAt, System.currentTimeMillis());
            if (call == null) {
                return;
            }
            takenInMemory.add(attempt);
            meters.counter("ferry.dispatch.in.memory").increment();
        }
        if (call != RAN_ALREADY) {
            runTraced(call, dispatch, headers);
        }
    }

    /**
     * @param dispatchedAt when the processor dispatched the attempt (the record's time), epoch milliseconds
     * @param headers      the dispatch record's headers, or null
     * @param fetchedAt    when this dispatcher fetched the record (or was handed it)
     * @return whether this dispatcher took the attempt (it runs, or ran here already)
     */
    private boolean start(Dispatch dispatch, long dispatchedAt, Headers headers, long fetchedAt) {
        InFlight call = prepare(dispatch, dispatchedAt, fetchedAt);
        if (call != null && call != RAN_ALREADY) {
            calls.execute(() -> runTraced(call, dispatch, headers));
        }
        return call != null;
    }

    /**
     * Registers an attempt as open here, for the caller to run ({@link #runTraced}) under the same lock.
     *
     * @return the open attempt; {@link #RAN_ALREADY} when this attempt ran here (or runs) already; null when this
     *     dispatcher does not take it
     */
    private InFlight prepare(Dispatch dispatch, long dispatchedAt, long fetchedAt) {
        long now = System.currentTimeMillis();
        if (fetchedAt <= stalledUntil && now - dispatchedAt > dispatch.leaseMillis()) {
            // Fetched before this process stood still, and older than a lease now: the processor may have run a
            // newer attempt in its place (its dispatch offset unknown to it, after a restart, say), and moved the
            // object key on to the next invocation. A record fetched after the stall is as good as any.
            log.warn("Not running {} attempt {}: dispatched {} ms ago, before this process stalled",
                    dispatch.invocationId(), dispatch.attempt(), now - dispatchedAt);
            meters.counter("ferry.dispatch.stale.skipped").increment();
            return null;
        }
        InFlight call = new InFlight(dispatch, now);
        // An attempt that waited in the topic (its dispatcher died, this one took the partition over) is close to
        // its lease's end: renew at once instead of a third of a lease from now, so the processor does not run it
        // again while it runs here. Fresh attempts, the usual case, cost no extra record.
        boolean waited = now - dispatchedAt > dispatch.leaseMillis() / 3;
        if (waited) {
            call.lastRenewal = 0;
        }
        if (finished.containsKey(new Attempt(dispatch.invocationId(), dispatch.attempt()))) {
            log.debug("{} attempt {} ran here already; its outcome is in the log", dispatch.invocationId(),
                    dispatch.attempt());
            meters.counter("ferry.dispatch.repeats.skipped").increment();
            return RAN_ALREADY;
        }
        InFlight older = inFlight.get(dispatch.invocationId());
        if (older != null) {
            if (older.dispatch.attempt() >= dispatch.attempt()) {
                // This attempt again (it runs), or an older one (not taken).
                return older.dispatch.attempt() == dispatch.attempt() ? RAN_ALREADY : null;
            }
            // The processor gave up on the older attempt (its lease lapsed while its dispatcher was away, say).
            older.superseded = true;
            interrupt(older);
        }
        inFlight.put(dispatch.invocationId(), call);
        if (waited) {
            renewals.execute(this::renewLeases);
        }
        return call;
    }

    /** Runs an attempt on this virtual thread, as a span of the trace its dispatch record carries (if tracing). */
    private void runTraced(InFlight call, Dispatch dispatch, Headers headers) {
        Tracer tracer = Tracing.tracer();
        if (tracer == null) {
            run(call, dispatch);
            return;
        }
        // The attempt as a span of the trace its dispatch record carries (a new trace when it carries none): the
        // service gets its traceparent (ServiceCall, ProtocolCall), and so does the outcome's record (CommandLog).
        Span span = tracer.spanBuilder("dispatch " + dispatch.target().service() + "/" + dispatch.target().handler())
                .setParent(headers == null ? Context.root() : Tracing.fromRecord(headers))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(Tracing.INVOCATION_ID, dispatch.invocationId().toString())
                .setAttribute(Tracing.SERVICE, dispatch.target().service())
                .setAttribute(Tracing.HANDLER, dispatch.target().handler())
                .setAttribute(Tracing.ATTEMPT, dispatch.attempt())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            run(call, dispatch);
        } finally {
            span.end();
        }
    }

    /**
     * Runs one attempt on this (virtual) thread and appends its outcome. The attempt stays open (its lease renewed)
     * until the broker has acknowledged the outcome, but this thread does not wait for that: the acknowledgement
     * closes it, on the producer's thread, which spares a wake-up of this one a call.
     */
    private void run(InFlight call, Dispatch dispatch) {
        call.thread = Thread.currentThread();
        LogContext.enter(dispatch.invocationId().toString(), dispatch.target(), dispatch.attempt());
        boolean appending = false;
        try {
            if (pausedBeforeCalling(call, System.currentTimeMillis())) {
                return;
            }
            Command outcome = call.aborted || call.superseded ? null : call(dispatch, () -> mayStillSend(call));
            if (call.superseded || (call.withheld && !call.aborted)) {
                return; // nothing was sent: the lease decides
            }
            if (call.aborted) {
                // Cancelled or killed: the connection is closed; the processor decides what that means.
                outcome = new AttemptFailed(dispatch.invocationId(), dispatch.attempt(),
                        new Failure(499, "the call was aborted (the invocation was cancelled or killed)"), null);
            } else if (outcome == null || closed) {
                // Stopped mid-call: the attempt's lease lapses and the processor runs it again.
                log.info("Abandoned {} attempt {} on shutdown", dispatch.invocationId(), dispatch.attempt());
                return;
            }
            Thread.interrupted(); // an abort's interrupt must not stop the report
            record(dispatch, outcome, call.aborted, System.currentTimeMillis() - call.startedAt);
            commandLog.append(outcome).whenComplete((metadata, error) -> {
                if (error == null) {
                    finished.put(new Attempt(dispatch.invocationId(), dispatch.attempt()), Boolean.TRUE);
                } else {
                    reportFailed(dispatch, error);
                }
                inFlight.remove(dispatch.invocationId(), call);
            });
            appending = true;
        } catch (RuntimeException e) {
            reportFailed(dispatch, e);
        } finally {
            if (!appending) {
                inFlight.remove(dispatch.invocationId(), call);
            }
            LogContext.leave();
        }
    }

    /** The outcome could not be appended; the lease lapses and the processor runs the attempt again. */
    private static void reportFailed(Dispatch dispatch, Throwable error) {
        log.error("Reporting the outcome of {} attempt {} failed", dispatch.invocationId(), dispatch.attempt(), error);
    }

    /**
     * {@code ferry_dispatch_attempts_total{service,handler,result}} (success, terminal, retryable, aborted; for a
     * Restate SDK service: ended, suspended, failed) and
     * {@code ferry_dispatch_duration_seconds{service,handler}}.
     */
    private void record(Dispatch dispatch, Command outcome, boolean aborted, long millis) {
        String result = aborted ? "aborted"
                : outcome instanceof Completion completion ? (completion.outcome().succeeded() ? "success" : "terminal")
                : outcome instanceof JournalAppend append ? append.end().kind().name().toLowerCase(Locale.ROOT)
                : "retryable";
        String service = dispatch.target().service();
        String handler = dispatch.target().handler();
        meters.counter("ferry.dispatch.attempts", "service", service, "handler", handler, "result", result)
                .increment();
        Timer.builder("ferry.dispatch.duration")
                .description("Calls to services, from sending the request to its answer")
                .tags("service", service, "handler", handler)
                .register(meters).record(Duration.ofMillis(millis));
    }

    /**
     * After a stall, whether this dispatcher still owns the partitions the batch came from. A dispatcher that stood
     * still longer than its group session was removed from the group and its partitions given to another, which may
     * have run these very attempts already; but until it hears so from the group coordinator, its consumer goes on
     * fetching them. A synchronous commit asks the coordinator: it fails for a member that was removed. Then the batch
     * is not run, and its partitions are put back where the batch began, for whichever member owns them next.
     */
    private boolean stillOwns(ConsumerRecords<String, byte[]> records) {
        try {
            // A commit only succeeds for a member of the group's current generation. Committing each partition's
            // first fetched offset commits nothing new: everything before it was taken.
            Map<TopicPartition, OffsetAndMetadata> firsts = new HashMap<>();
            for (TopicPartition partition : records.partitions()) {
                firsts.put(partition, new OffsetAndMetadata(records.records(partition).getFirst().offset()));
            }
            consumer.commitSync(firsts, Duration.ofSeconds(5));
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("After standing still, this dispatcher no longer owns its partitions ({}): not running the {}"
                    + " attempts it fetched", e.toString(), records.count());
            for (TopicPartition partition : records.partitions()) {
                try {
                    consumer.seek(partition, records.records(partition).getFirst().offset());
                } catch (RuntimeException notAssigned) {
                    // revoked meanwhile: its next owner starts from the group's committed offset
                }
            }
            return false;
        }
    }

    private void noteStall(long gap, long now) {
        if (gap > STALL) {
            stalledUntil = now;
            log.warn("This dispatcher stood still for {} ms; attempts dispatched before that and older than their"
                    + " lease are not run", gap);
        }
    }

    /**
     * This process stopped (SIGSTOP, a long GC pause, a starved machine) for half a lease or more between taking the
     * attempt and calling the service: no renewal went out meanwhile, so the processor may have given the attempt up
     * and run a newer one, even the next invocation of its object key. Calling now could run the invocation beside
     * that, or after it ended. So it is not called; its lease decides.
     */
    private boolean pausedBeforeCalling(InFlight call, long now) {
        if (now - call.startedAt < call.dispatch.leaseMillis() / 2) {
            return false;
        }
        log.warn("Not calling for {} attempt {}: taken {} ms ago, its lease may have lapsed meanwhile",
                call.dispatch.invocationId(), call.dispatch.attempt(), now - call.startedAt);
        meters.counter("ferry.dispatch.stale.skipped").increment();
        return true;
    }

    /**
     * Asked by the request's body right before it is written ({@link GatedBody}): the process may have stood still
     * after {@link #pausedBeforeCalling} was asked, and nothing was sent yet.
     */
    private boolean mayStillSend(InFlight call) {
        if (call.aborted || call.superseded || pausedBeforeCalling(call, System.currentTimeMillis())) {
            call.withheld = true;
            return false;
        }
        return true;
    }

    /** One attempt of one invocation. */
    private record Attempt(InvocationId invocationId, int attempt) {}

    /** Stops the call of a cancelled or killed attempt, if it runs here. */
    private void abort(AbortAttempt abort) {
        InFlight call = inFlight.get(abort.invocationId());
        if (call == null || call.dispatch.attempt() != abort.attempt()) {
            return; // already ended, or running on another dispatcher after a rebalance: its lease decides
        }
        call.aborted = true;
        interrupt(call);
    }

    /** Interrupts the thread of a call: the JDK HTTP client then cancels the exchange and closes the connection. */
    private static void interrupt(InFlight call) {
        Thread thread = call.thread;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private Command call(Dispatch dispatch, BooleanSupplier maySend) {
        Optional<RegisteredService> service = registry.registry().service(dispatch.target().service());
        if (service.isEmpty()) {
            return new AttemptFailed(dispatch.invocationId(), dispatch.attempt(),
                    new Failure(404, "service '" + dispatch.target().service() + "' is not registered"), null);
        }
        Deployment deployment = service.get().deployment();
        if (deployment.speaksServiceProtocol() && dispatch.journal() == null) {
            // A plain HTTP call would reach the SDK with no journal: it would answer 415 about content types.
            return new Completion(dispatch.invocationId(), dispatch.attempt(), Outcome.failure(501,
                    SERVICE_PROTOCOL_NOT_RUNNABLE.formatted(dispatch.target().service(), deployment.id(),
                            deployment.protocol().version())));
        }
        if (!deployment.speaksServiceProtocol() && dispatch.journal() != null) {
            return new Completion(dispatch.invocationId(), dispatch.attempt(), Outcome.failure(501,
                    PLAIN_SERVICE_WITH_JOURNAL.formatted(dispatch.target().service(), deployment.id())));
        }
        if (deployment.speaksServiceProtocol()) {
            // Restate's SDKs verify their own request identity scheme, not Ferry's signature: sent unsigned.
            return protocolCall.run(dispatch, deployment.uri(), deployment.protocol(), maySend);
        }
        String signingKey = deployment.signingKey() != null ? deployment.signingKey() : settings.signingKey();
        return serviceCall.run(dispatch, deployment.uri(), signingKey, maySend);
    }

    /** Renews the lease of every open call a third of the way into it, so one lost renewal is survivable. */
    private void renewLeases() {
        long now = System.currentTimeMillis();
        noteStall(now - lastTick, now);
        lastTick = now;
        for (InFlight call : inFlight.values()) {
            long renewEvery = Math.max(100, call.dispatch.leaseMillis() / 3);
            if (now - call.lastRenewal >= renewEvery) {
                call.lastRenewal = now;
                commandLog.append(new RenewLease(call.dispatch.invocationId(), call.dispatch.attempt()))
                        .exceptionally(e -> {
                            log.warn("Renewing the lease of {} failed: {}", call.dispatch.invocationId(),
                                    e.toString());
                            return null;
                        });
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        fetchPause.leftToPollLoop(); // ends a pause at once
        try {
            pollThread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        renewals.shutdownNow();
        // Open calls are abandoned; their leases lapse and the processor runs them again.
        calls.shutdownNow();
        httpClient.shutdownNow();
        H2cClients.close(h2cClient);
    }
}
