package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.http.H2cClients;
import dev.ferry.protocol.ErrorCodes;
import dev.ferry.protocol.Frame;
import dev.ferry.protocol.FrameCodec;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.ProtocolVersion;
import dev.ferry.protocol.messages.AwaitingOnMessage;
import dev.ferry.protocol.messages.EndMessage;
import dev.ferry.protocol.messages.ErrorBehavior;
import dev.ferry.protocol.messages.ErrorMessage;
import dev.ferry.protocol.messages.Future;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SleepCompletionNotificationMessage;
import dev.ferry.protocol.messages.StartMessage;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.protocol.messages.Void;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceProtocol;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.dispatch.RequestSignature;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.JournalReplay;
import dev.ferry.schemas.journal.StateEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ProtocolCall} against a fake SDK endpoint (the JDK's HTTP server) that records the request and answers with
 * canned frames: what it sends, and how each kind of answer becomes a {@link JournalAppend} or an
 * {@link AttemptFailed}.
 */
class ProtocolCallTest {
    private static final InvocationId INVOCATION_ID = InvocationId.random(7);
    private static final Target ADD = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "count-1");
    private static final ServiceProtocol HTTP_1_1 =
            new ServiceProtocol(7, 5, 7, "REQUEST_RESPONSE", false, 4, "restate-sdk-typescript/1.17.2");
    private static final String V7 = ProtocolVersion.V7.contentType();
    private static final JournalEntry INPUT = entry(InputCommandMessage.newBuilder()
            .setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8("1"))).build());

    /** What the endpoint answers. */
    private interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    /** A request as the endpoint saw it; header names lower case. */
    private record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Received> received = new CompletableFuture<>();
    private ExecutorService executor;
    private HttpServer server;
    private HttpClient http11;
    private OkHttpClient h2c;
    private volatile Answer answer;

    @BeforeEach
    void startEndpoint() throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, List<String>> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                        values));
                received.complete(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        headers, exchange.getRequestBody().readAllBytes()));
                answer.answer(exchange);
            }
        });
        server.start();
        http11 = Http11Clients.create(Duration.ofSeconds(5));
        h2c = H2cClients.builder(java.time.Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopEndpoint() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
        http11.shutdownNow();
        H2cClients.close(h2c);
    }

    @Test
    void theRequestIsTheStartMessageThenTheJournalFramedForTheProtocolVersion() throws Exception {
        answer = frames(output("2"), EndMessage.getDefaultInstance());
        JournalEntry sleepDone = entry(SleepCompletionNotificationMessage.newBuilder().setCompletionId(1)
                .setVoid(Void.getDefaultInstance()).build());
        JournalReplay replay = new JournalReplay(7, List.of(INPUT, sleepDone),
                List.of(new StateEntry(Payload.ofUtf8("count"), Payload.ofUtf8("41"))), 2, 1_500);
        Dispatch dispatch = dispatch(replay, "order-9", null);

        call(dispatch);

        Received request = received.get(5, TimeUnit.SECONDS);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/invoke/Counter/add");
        assertThat(request.header("content-type")).isEqualTo(V7);
        assertThat(request.header("accept")).isEqualTo(V7);
        assertThat(request.header(RequestSignature.HEADER.toLowerCase(Locale.ROOT))).isNull();
        List<Frame> frames = FrameCodec.decode(request.body(), Integer.MAX_VALUE - 16);
        assertThat(frames).hasSize(3);
        assertThat(frames).allSatisfy(frame -> assertThat(frame.flags()).isZero());
        StartMessage start = frames.get(0).message(StartMessage.class);
        assertThat(start.getId().toByteArray()).isEqualTo(INVOCATION_ID.toBytes());
        assertThat(start.getDebugId()).isEqualTo(INVOCATION_ID.toString());
        assertThat(start.getKnownEntries()).isEqualTo(2);
        assertThat(start.getStateMapList()).singleElement().satisfies(state -> {
            assertThat(state.getKey().toStringUtf8()).isEqualTo("count");
            assertThat(state.getValue().toStringUtf8()).isEqualTo("41");
        });
        assertThat(start.getPartialState()).isFalse();
        assertThat(start.getKey()).isEqualTo("count-1");
        assertThat(start.getRetryCountSinceLastStoredEntry()).isEqualTo(2);
        assertThat(start.getDurationSinceLastStoredEntry()).isEqualTo(1_500);
        assertThat(start.getRandomSeed()).isEqualTo(ProtocolCall.randomSeed(INVOCATION_ID)).isNotZero();
        assertThat(start.hasIdempotencyKey()).isTrue();
        assertThat(start.getIdempotencyKey()).isEqualTo("order-9");
        assertThat(frames.get(1).type()).isEqualTo(MessageType.INPUT_COMMAND.id());
        assertThat(frames.get(1).body().toByteArray()).isEqualTo(INPUT.message().bytes());
        assertThat(frames.get(2).type()).isEqualTo(MessageType.SLEEP_COMPLETION.id());
        assertThat(frames.get(2).body().toByteArray()).isEqualTo(sleepDone.message().bytes());
    }

    @Test
    void version5SendsNeitherRandomSeedNorIdempotencyKeyAndAPlainServiceAnEmptyKey() throws Exception {
        answer = frames(output("2"), EndMessage.getDefaultInstance());
        Dispatch dispatch = new Dispatch(INVOCATION_ID, 1, Target.service("Greeter", "greet"), "order-9", null,
                List.of(), Payload.EMPTY, 30_000, null, new JournalReplay(5, List.of(INPUT), List.of(), 0, 0));

        call(dispatch);

        Received request = received.get(5, TimeUnit.SECONDS);
        assertThat(request.header("content-type")).isEqualTo(ProtocolVersion.V5.contentType());
        StartMessage start = FrameCodec.decode(request.body(), 1 << 20).get(0).message(StartMessage.class);
        assertThat(start.getRandomSeed()).isZero();
        assertThat(start.hasIdempotencyKey()).isFalse();
        assertThat(start.getKey()).isEmpty();
    }

    @Test
    void theRandomSeedIsTheSameInEveryAttemptAndDiffersBetweenInvocations() {
        assertThat(ProtocolCall.randomSeed(INVOCATION_ID)).isEqualTo(ProtocolCall.randomSeed(
                InvocationId.fromBytes(INVOCATION_ID.toBytes())));
        assertThat(ProtocolCall.randomSeed(INVOCATION_ID)).isNotEqualTo(ProtocolCall.randomSeed(
                InvocationId.random(7)));
    }

    @Test
    void outputThenEndIsAnEndedAppendWithTheCommandsExactBytes() {
        SetStateCommandMessage set = SetStateCommandMessage.newBuilder()
                .setKey(ByteString.copyFromUtf8("count"))
                .setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8("42"))).build();
        answer = frames(set, output("42"), EndMessage.getDefaultInstance());

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(entry(set), entry(output("42"))),
                AttemptEnd.ended()));
    }

    @Test
    void aSuspensionOfV7ListsTheAwaitedIdsAndAnAwaitingOnHintIsSkipped() {
        Future awaiting = Future.newBuilder().addWaitingCompletions(1).addWaitingSignals(1)
                .addNestedFutures(Future.newBuilder().addWaitingNamedSignals("approved").addWaitingCompletions(4))
                .build();
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("charge").build();
        answer = frames(run, AwaitingOnMessage.newBuilder().setAwaitingOn(awaiting).build(),
                SuspensionMessage.newBuilder().setAwaitingOn(awaiting).build());

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(entry(run)),
                AttemptEnd.suspended(List.of(1, 4), List.of(1), List.of("approved"))));
    }

    @Test
    void aSuspensionOfV5ListsItsFlatIds() {
        answer = frames(SuspensionMessage.newBuilder().addWaitingCompletions(2).addWaitingSignals(17)
                .addWaitingNamedSignals("go").build());

        Command result = call(dispatch(new JournalReplay(5, List.of(INPUT), List.of(), 0, 0), null, null));

        assertThat(result).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(),
                AttemptEnd.suspended(List.of(2), List.of(17), List.of("go"))));
    }

    @Test
    void aSuspensionThatAwaitsNothingIsAProtocolViolation() {
        answer = frames(SuspensionMessage.getDefaultInstance());

        JournalAppend result = (JournalAppend) call(dispatch(replay(INPUT), null, null));

        assertThat(result.end().kind()).isEqualTo(AttemptEnd.Kind.FAILED);
        assertThat(result.end().failure().code()).isEqualTo(ErrorCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void anErrorMessageFailsTheAttemptWithItsRetryDelayAndTheRelatedCommand() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("charge").build();
        answer = frames(run, ErrorMessage.newBuilder().setCode(500).setMessage("card declined")
                .setStacktrace("Error: card declined\n    at charge (svc.js:3)")
                .setRelatedCommandIndex(1).setRelatedCommandName("charge")
                .setRelatedCommandType(MessageType.RUN_COMMAND.id())
                .setNextRetryDelay(7_000).build());

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(entry(run)), AttemptEnd.failed(
                new Failure(500, "card declined (at command #1 'charge' RunCommandMessage 0x0411)\n"
                        + "Error: card declined\n    at charge (svc.js:3)"), 7_000L, false)));
    }

    @Test
    void aV7ErrorThatAsksToPauseOrFailPausesAndAnOutOfRangeCodeBecomes500() {
        answer = frames(ErrorMessage.newBuilder().setCode(ErrorCodes.JOURNAL_MISMATCH).setMessage("mismatch")
                .setBehavior(ErrorBehavior.PAUSE).build());
        JournalAppend paused = (JournalAppend) call(dispatch(replay(INPUT), null, null));
        assertThat(paused.end()).isEqualTo(AttemptEnd.failed(new Failure(570, "mismatch"), null, true));

        assertThat(AttemptJournal.failureCode(0)).isEqualTo(500);
        assertThat(AttemptJournal.failureCode(-1)).isEqualTo(500);
        assertThat(AttemptJournal.failureCode(1000)).isEqualTo(500);
        assertThat(AttemptJournal.failureCode(99)).isEqualTo(500);
        assertThat(AttemptJournal.failureCode(100)).isEqualTo(100);
        assertThat(AttemptJournal.failureCode(999)).isEqualTo(999);
        assertThat(AttemptJournal.describe(ErrorMessage.newBuilder().setCode(-1).setMessage("odd").build()))
                .isEqualTo("[the service's error code 4294967295] odd");
    }

    @Test
    void aRunProposalBecomesTheRunCompletionNotificationAtItsPositionWhateverItsAckFlag() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("r1").build();
        ProposeRunCompletionMessage proposal = ProposeRunCompletionMessage.newBuilder().setResultCompletionId(1)
                .setValue(ByteString.copyFromUtf8("\"ran\"")).build();
        answer = rawFrames(Frame.of(run), Frame.of(proposal, Frame.REQUESTED_ACK),
                Frame.of(SuspensionMessage.newBuilder().setAwaitingOn(Future.newBuilder().addWaitingCompletions(1)
                        .addWaitingSignals(1)).build()));

        Command result = call(dispatch(replay(INPUT), null, null));

        RunCompletionNotificationMessage completion = RunCompletionNotificationMessage.newBuilder()
                .setCompletionId(1).setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8("\"ran\"")))
                .build();
        assertThat(result).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(entry(run), entry(completion)),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())));
    }

    @Test
    void anEndWithoutAnOutputAnywhereIsAProtocolViolationButAReplayedOutputCounts() {
        answer = frames(EndMessage.getDefaultInstance());
        JournalAppend withoutOutput = (JournalAppend) call(dispatch(replay(INPUT), null, null));
        assertThat(withoutOutput.end().kind()).isEqualTo(AttemptEnd.Kind.FAILED);
        assertThat(withoutOutput.end().failure().code()).isEqualTo(571);
        assertThat(withoutOutput.end().failure().message()).contains("without an OutputCommandMessage");

        Command replayedOutput = call(dispatch(replay(INPUT, entry(output("1"))), null, null));
        assertThat(replayedOutput).isEqualTo(new JournalAppend(INVOCATION_ID, 3, List.of(), AttemptEnd.ended()));
    }

    @Test
    void aStreamCutInsideAFrameKeepsTheWholeFramesBeforeItAndFailsTheAttempt() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("r1").build();
        byte[] whole = FrameCodec.encode(List.of(Frame.of(run)));
        byte[] partial = Arrays.copyOf(Frame.of(output("1")).toByteArray(), 5);
        answer = exchange -> {
            exchange.getResponseHeaders().add("content-type", V7);
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write(whole);
            body.write(partial);
            body.flush();
            // the handler returns: the chunked body ends, inside a frame header
        };

        JournalAppend result = (JournalAppend) call(dispatch(replay(INPUT), null, null));

        assertThat(result.entries()).containsExactly(entry(run));
        assertThat(result.end().kind()).isEqualTo(AttemptEnd.Kind.FAILED);
        assertThat(result.end().failure().code()).isEqualTo(571);
        assertThat(result.end().failure().message()).contains("the bytes end inside a frame header: 5 of 8 bytes");
        assertThat(result.end().pause()).isFalse();
    }

    @Test
    void aStreamThatEndsBetweenFramesWithoutAnEndKeepsThemAndFailsTheAttempt() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("r1").build();
        answer = frames(run);

        JournalAppend result = (JournalAppend) call(dispatch(replay(INPUT), null, null));

        assertThat(result.entries()).containsExactly(entry(run));
        assertThat(result.end()).isEqualTo(AttemptEnd.failed(new Failure(502, "the service's answer ended without an"
                + " EndMessage, SuspensionMessage or ErrorMessage"), null, false));
    }

    @Test
    void aStreamThatEndsBeforeAnyWholeFrameIsAnAttemptFailed() {
        answer = frames();

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isInstanceOf(AttemptFailed.class);
        assertThat(((AttemptFailed) result).failure().code()).isEqualTo(502);
    }

    @Test
    void aNon200AnswerIsRetryableWithItsMessageAndRetryAfter() {
        answer = exchange -> {
            byte[] body = "{\"message\":\"No service found for URL: /invoke/Counter/add\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.getResponseHeaders().add("retry-after", "3");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
        };

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isEqualTo(new AttemptFailed(INVOCATION_ID, 3, new Failure(404,
                "the service answered HTTP 404: No service found for URL: /invoke/Counter/add"), 3_000L));
    }

    @Test
    void aWrongContentTypeIsRetryable() {
        answer = exchange -> {
            byte[] body = FrameCodec.encode(List.of(Frame.of(output("1")), Frame.of(EndMessage.getDefaultInstance())));
            exchange.getResponseHeaders().add("content-type", ProtocolVersion.V6.contentType());
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        };

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isInstanceOf(AttemptFailed.class);
        Failure failure = ((AttemptFailed) result).failure();
        assertThat(failure.code()).isEqualTo(502);
        assertThat(failure.message()).contains("'" + ProtocolVersion.V6.contentType() + "', not '" + V7 + "'");
    }

    @Test
    void garbageAfterWholeFramesKeepsTheFramesAndFailsAsAProtocolViolation() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("r1").build();
        answer = exchange -> {
            exchange.getResponseHeaders().add("content-type", V7);
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(Frame.of(run).toByteArray());
            // a header announcing a 4 GB body: more than any frame may be
            exchange.getResponseBody().write(new byte[] {0x04, 0x11, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                    (byte) 0xFF, 1, 2, 3});
        };

        JournalAppend result = (JournalAppend) call(dispatch(replay(INPUT), null, null));

        assertThat(result.entries()).containsExactly(entry(run));
        assertThat(result.end().failure().code()).isEqualTo(571);
        assertThat(result.end().failure().message()).contains("announces a body of 4294967295 bytes");
    }

    @Test
    void aNotificationFromTheServiceIsAProtocolViolation() {
        answer = frames(SleepCompletionNotificationMessage.newBuilder().setCompletionId(1)
                .setVoid(Void.getDefaultInstance()).build(), output("1"), EndMessage.getDefaultInstance());

        Command result = call(dispatch(replay(INPUT), null, null));

        assertThat(result).isInstanceOf(AttemptFailed.class);
        assertThat(((AttemptFailed) result).failure().code()).isEqualTo(571);
        assertThat(((AttemptFailed) result).failure().message()).contains("only the runtime writes notifications");
    }

    @Test
    void entriesBeyondTheRecordLimitAreNotKeptAndTheAttemptFailsSayingWhy() {
        // A body limit of 1 MiB gives records of 6 MiB (RecordLimits): entries of 1 MiB take 4/3 MiB there, in base64.
        RecordLimits limits = new RecordLimits(1 << 20);
        ByteString mebibyte = ByteString.copyFrom(new byte[1 << 20]);
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            messages.add(SetStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("k" + i))
                    .setValue(Value.newBuilder().setContent(mebibyte)).build());
        }
        messages.add(output("1"));
        messages.add(EndMessage.getDefaultInstance());
        answer = frames(messages.toArray(Message[]::new));

        JournalAppend result = (JournalAppend) new ProtocolCall(http11, h2c, limits)
                .run(dispatch(replay(INPUT), null, null), baseUri(), HTTP_1_1);

        assertThat(result.entries()).containsExactlyElementsOf(messages.subList(0, 4).stream()
                .map(ProtocolCallTest::entry).toList());
        assertThat(result.end().kind()).isEqualTo(AttemptEnd.Kind.FAILED);
        assertThat(result.end().failure().code()).isEqualTo(413);
        assertThat(result.end().failure().message()).contains("does not fit one record of "
                + limits.recordBytes() + " bytes");
        assertThat(Json.write(result).length).isLessThanOrEqualTo(limits.recordBytes());
    }

    @Test
    void anAnswerThatOutlastsTheTimeoutIsRetryableAsGatewayTimeoutKeepingWholeFrames() {
        RunCommandMessage run = RunCommandMessage.newBuilder().setResultCompletionId(1).setName("slow").build();
        answer = exchange -> {
            exchange.getResponseHeaders().add("content-type", V7);
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(Frame.of(run).toByteArray());
            exchange.getResponseBody().flush();
            try {
                release.await(); // until the test ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Dispatch dispatch = new Dispatch(INVOCATION_ID, 3, ADD, null, null, List.of(), Payload.EMPTY, 30_000, 300L,
                replay(INPUT));

        JournalAppend result = (JournalAppend) call(dispatch);

        assertThat(result.entries()).containsExactly(entry(run));
        assertThat(result.end()).isEqualTo(AttemptEnd.failed(new Failure(504,
                "the service did not answer within 300ms"), null, false));
    }

    @Test
    void anInterruptedCallReportsNothing() throws Exception {
        CountDownLatch answering = new CountDownLatch(1);
        answer = exchange -> {
            exchange.getResponseHeaders().add("content-type", V7);
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().flush();
            answering.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        CompletableFuture<Command> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> outcome.complete(call(dispatch(replay(INPUT), null, null))));
        assertThat(answering.await(5, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aJournalOfAVersionFerryDoesNotSpeakPausesWithoutCalling() {
        Command result = call(dispatch(new JournalReplay(4, List.of(INPUT), List.of(), 0, 0), null, null));

        assertThat(result).isInstanceOf(JournalAppend.class);
        AttemptEnd end = ((JournalAppend) result).end();
        assertThat(end.pause()).isTrue();
        assertThat(end.failure().message()).contains("version 4");
        assertThat(received).isNotDone();
    }

    @Test
    void anAttemptWhoseGateClosesBeforeItsBodyIsWrittenIsNotSentAndReportsNothing() {
        answer = frames(output("2"), EndMessage.getDefaultInstance());
        AtomicInteger asked = new AtomicInteger();

        Command result = new ProtocolCall(http11, h2c, RecordLimits.DEFAULT)
                .run(dispatch(replay(INPUT), null, null), baseUri(), HTTP_1_1, () -> {
                    asked.incrementAndGet();
                    return false; // the dispatcher stood still after taking the attempt
                });

        assertThat(result).isNull();
        assertThat(asked).hasValue(1);
        assertThat(received).isNotDone(); // the SDK never got a whole request
    }

    private Command call(Dispatch dispatch) {
        return new ProtocolCall(http11, h2c, RecordLimits.DEFAULT).run(dispatch, baseUri(), HTTP_1_1);
    }

    private String baseUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static Dispatch dispatch(JournalReplay replay, String idempotencyKey, Long timeoutMillis) {
        return new Dispatch(INVOCATION_ID, 3, ADD, idempotencyKey, null, List.of(), Payload.EMPTY, 30_000,
                timeoutMillis, replay);
    }

    private static JournalReplay replay(JournalEntry... entries) {
        return new JournalReplay(7, List.of(entries), List.of(), 0, 0);
    }

    private static OutputCommandMessage output(String json) {
        return OutputCommandMessage.newBuilder().setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8(json)))
                .build();
    }

    private static JournalEntry entry(Message message) {
        return new JournalEntry(MessageType.of(message).id(), Payload.of(message.toByteArray()));
    }

    /** Answers 200 with the protocol's content type and these messages, framed, in one chunked body. */
    private static Answer frames(Message... messages) {
        return rawFrames(Arrays.stream(messages).map(Frame::of).toArray(Frame[]::new));
    }

    private static Answer rawFrames(Frame... frames) {
        byte[] body = FrameCodec.encode(List.of(frames));
        return exchange -> {
            // as an SDK does: the content type of the request, for its version
            exchange.getResponseHeaders().add("content-type", exchange.getRequestHeaders().getFirst("content-type"));
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(body);
        };
    }
}
