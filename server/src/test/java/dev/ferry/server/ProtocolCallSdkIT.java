package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.ferry.dispatcher.ProtocolCall;
import dev.ferry.http.H2cClients;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.messages.GetEagerStateCommandMessage;
import dev.ferry.protocol.messages.Header;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import dev.ferry.protocol.messages.SleepCompletionNotificationMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.protocol.messages.Void;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.RecordLimits;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceProtocol;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.JournalReplay;
import dev.ferry.schemas.journal.StateEntry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link ProtocolCall} against services written with Restate's real TypeScript SDK 1.17.2 ({@link SdkService}), no
 * Kafka: each test builds the journal an attempt replays, as the processor would, and checks what the SDK answers,
 * over HTTP/1.1 and over HTTP/2 cleartext with prior knowledge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolCallSdkIT {
    private static final int PROTOCOL_VERSION = 7;
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Target RUN_THEN_SLEEP = Target.service("Steps", "runThenSleep");
    private static final Target EXECUTIONS = Target.service("Steps", "executions");

    private final List<AutoCloseable> open = new ArrayList<>();
    private HttpClient http11;
    private OkHttpClient h2c;
    private ProtocolCall protocolCall;

    @BeforeAll
    void start() {
        SdkService.kit(); // installs Node 22 and the SDK if .ci/run did not
        http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        h2c = H2cClients.builder(Duration.ofSeconds(5)).build();
        protocolCall = new ProtocolCall(http11, h2c, RecordLimits.DEFAULT);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        http11.shutdownNow();
        H2cClients.close(h2c);
    }

    @Test
    void greeterGreetsOverHttp11() throws IOException {
        Served sdk = sdk("readme-services.cjs", SdkService.Transport.HTTP_1_1);

        JournalAppend append = call(sdk, GREET, replay(List.of(input("{\"name\":\"Mary\"}")), List.of()));

        assertGreeted(append, sdk);
    }

    @Test
    void greeterGreetsOverH2c() throws IOException {
        Served sdk = sdk("readme-services.cjs", SdkService.Transport.H2C);

        JournalAppend append = call(sdk, GREET, replay(List.of(input("{\"name\":\"Mary\"}")), List.of()));

        assertGreeted(append, sdk);
    }

    @Test
    void counterAddReadsTheStateSentSetsItAndAnswersTheSum() throws IOException {
        Served sdk = sdk("readme-services.cjs", SdkService.Transport.HTTP_1_1);
        Target add = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "counter-1");
        List<StateEntry> state = List.of(new StateEntry(Payload.ofUtf8("count"), Payload.ofUtf8("41")));

        JournalAppend append = call(sdk, add, replay(List.of(input("1")), state));

        assertThat(append.end()).as(sdk.output().toString()).isEqualTo(AttemptEnd.ended());
        assertThat(append.entries()).extracting(JournalEntry::type).containsExactly(
                MessageType.GET_EAGER_STATE_COMMAND.id(), MessageType.SET_STATE_COMMAND.id(),
                MessageType.OUTPUT_COMMAND.id());
        GetEagerStateCommandMessage get = parse(append.entries().get(0), GetEagerStateCommandMessage.parser());
        assertThat(get.getKey().toStringUtf8()).isEqualTo("count");
        assertThat(get.getValue().getContent().toStringUtf8()).isEqualTo("41");
        SetStateCommandMessage set = parse(append.entries().get(1), SetStateCommandMessage.parser());
        assertThat(set.getKey().toStringUtf8()).isEqualTo("count");
        assertThat(set.getValue().getContent().toStringUtf8()).isEqualTo("42");
        assertThat(outputOf(append)).isEqualTo("42");
    }

    @Test
    void aRunIsJournaledAsItsCompletionAndReplayedWithoutRunningTheClosureAgain() throws IOException {
        Served sdk = sdk("run-then-sleep.cjs", SdkService.Transport.H2C);
        JournalEntry input = input("");

        // Attempt 1: the closure runs; its result comes back as a proposal, journaled as the run's completion, and
        // the handler suspends until that completion is journaled (request-response mode).
        JournalAppend first = call(sdk, RUN_THEN_SLEEP, replay(List.of(input), List.of()));
        assertThat(first.entries()).as(sdk.output().toString()).extracting(JournalEntry::type).containsExactly(
                MessageType.RUN_COMMAND.id(), MessageType.RUN_COMPLETION.id());
        RunCommandMessage run = parse(first.entries().get(0), RunCommandMessage.parser());
        assertThat(run.getName()).isEqualTo("charge");
        RunCompletionNotificationMessage ran = parse(first.entries().get(1), RunCompletionNotificationMessage.parser());
        assertThat(ran.getCompletionId()).isEqualTo(run.getResultCompletionId());
        assertThat(ran.getValue().getContent().toStringUtf8()).isEqualTo("\"charged 1\"");
        assertThat(first.end()).isEqualTo(AttemptEnd.suspended(List.of(run.getResultCompletionId()), List.of(1),
                List.of()));

        // Attempt 2: the journal holds the run's result; the handler goes on to sleep and suspends on the timer.
        List<JournalEntry> journal = new ArrayList<>(List.of(input));
        journal.addAll(first.entries());
        JournalAppend second = call(sdk, RUN_THEN_SLEEP, replay(journal, List.of()));
        assertThat(second.entries()).as(sdk.output().toString()).extracting(JournalEntry::type)
                .containsExactly(MessageType.SLEEP_COMMAND.id());
        SleepCommandMessage sleep = parse(second.entries().get(0), SleepCommandMessage.parser());
        assertThat(sleep.getWakeUpTime()).isGreaterThan(System.currentTimeMillis());
        assertThat(second.end()).isEqualTo(AttemptEnd.suspended(List.of(sleep.getResultCompletionId()), List.of(1),
                List.of()));

        // Attempt 3: the timer fired; the handler ends with the run's first result.
        journal.addAll(second.entries());
        journal.add(entry(SleepCompletionNotificationMessage.newBuilder()
                .setCompletionId(sleep.getResultCompletionId()).setVoid(Void.getDefaultInstance()).build()));
        JournalAppend third = call(sdk, RUN_THEN_SLEEP, replay(journal, List.of()));
        assertThat(third.end()).as(sdk.output().toString()).isEqualTo(AttemptEnd.ended());
        assertThat(Json.MAPPER.readTree(outputOf(third)).get("charged").asText()).isEqualTo("charged 1");

        // The closure ran once in three attempts.
        JournalAppend executions = call(sdk, EXECUTIONS, replay(List.of(input), List.of()));
        assertThat(outputOf(executions)).isEqualTo("1");
    }

    /** An SDK service, and how it is served. */
    private record Served(SdkService service, SdkService.Transport transport) {
        List<String> output() {
            return service.output();
        }
    }

    private Served sdk(String module, SdkService.Transport transport) {
        SdkService sdk = SdkService.start(module, transport);
        open.add(sdk);
        return new Served(sdk, transport);
    }

    /** One attempt, as the dispatcher runs it for the deployment the SDK service was registered as. */
    private JournalAppend call(Served sdk, Target target, JournalReplay replay) {
        boolean http2 = sdk.transport() == SdkService.Transport.H2C;
        ServiceProtocol protocol = new ServiceProtocol(PROTOCOL_VERSION, 5, 7,
                http2 ? "BIDI_STREAM" : "REQUEST_RESPONSE", http2, 4, "restate-sdk-typescript/1.17.2");
        Dispatch dispatch = new Dispatch(InvocationId.random(target.key() == null ? 0 : target.key().hashCode()), 1,
                target, null, null, List.of(), Payload.EMPTY, 30_000, 30_000L, replay);
        Command outcome = protocolCall.run(dispatch, sdk.service().uri(), protocol);
        assertThat(outcome).as("SDK log: " + sdk.output()).isInstanceOf(JournalAppend.class);
        return (JournalAppend) outcome;
    }

    private static JournalReplay replay(List<JournalEntry> entries, List<StateEntry> state) {
        return new JournalReplay(PROTOCOL_VERSION, entries, state, 0, 0);
    }

    /** The input command the processor writes first: the request's body, and its content type. */
    private static JournalEntry input(String json) {
        InputCommandMessage.Builder input = InputCommandMessage.newBuilder();
        if (!json.isEmpty()) {
            input.addHeaders(Header.newBuilder().setKey("content-type").setValue("application/json"))
                    .setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8(json)));
        }
        return entry(input.build());
    }

    private static JournalEntry entry(Message message) {
        return new JournalEntry(MessageType.of(message).id(), Payload.of(message.toByteArray()));
    }

    private static <T extends Message> T parse(JournalEntry entry, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(entry.message().bytes());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("entry of type " + entry.type() + " does not parse", e);
        }
    }

    /** The value of the attempt's output command, as text. */
    private static String outputOf(JournalAppend append) {
        JournalEntry output = append.entries().stream()
                .filter(entry -> entry.type() == MessageType.OUTPUT_COMMAND.id()).findFirst()
                .orElseThrow(() -> new AssertionError("no output command in " + append));
        OutputCommandMessage message = parse(output, OutputCommandMessage.parser());
        assertThat(message.hasValue()).as("output %s", message).isTrue();
        return message.getValue().getContent().toStringUtf8();
    }

    private static void assertGreeted(JournalAppend append, Served sdk) throws IOException {
        assertThat(append.end()).as(sdk.output().toString()).isEqualTo(AttemptEnd.ended());
        assertThat(append.entries()).extracting(JournalEntry::type)
                .containsExactly(MessageType.OUTPUT_COMMAND.id());
        JsonNode greeting = Json.MAPPER.readTree(outputOf(append));
        assertThat(greeting.get("greeting").asText()).isEqualTo("Hello Mary");
    }
}
