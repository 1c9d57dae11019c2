package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ferry.protocol.messages.CallCommandMessage;
import dev.ferry.protocol.messages.CombinatorType;
import dev.ferry.protocol.messages.EndMessage;
import dev.ferry.protocol.messages.ErrorMessage;
import dev.ferry.protocol.messages.Failure;
import dev.ferry.protocol.messages.Future;
import dev.ferry.protocol.messages.GetEagerStateCommandMessage;
import dev.ferry.protocol.messages.GetEagerStateKeysCommandMessage;
import dev.ferry.protocol.messages.GetPromiseCommandMessage;
import dev.ferry.protocol.messages.Header;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.OneWayCallCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SignalNotificationMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import dev.ferry.protocol.messages.SleepCompletionNotificationMessage;
import dev.ferry.protocol.messages.StartMessage;
import dev.ferry.protocol.messages.StateKeys;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.protocol.messages.Void;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bytes exchanged with the real TypeScript SDK ({@code @restatedev/restate-sdk} 1.17.2, shared core 7.0.3) over
 * HTTP/1.1 request-response, recorded by the issue 14 probe. The requests were built by hand and accepted by the SDK;
 * the responses are the SDK's own bytes. Decoding them must give what the SDK meant, and Ferry must be able to write
 * the requests identically.
 */
class SdkGoldenBytesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX = 1 << 20;
    private static final ByteString PROBE_ID =
            ByteString.fromHex("0102030405060708a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8");

    /** Demo/steps, first attempt, v7 and v5 alike: StartMessage and the input. */
    private static final String STEPS_REQUEST = "000000000000002a0a180102030405060708a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8"
            + "120a696e765f3170726f62651801482a04000000000000100a080a03782d6812017672040a027b7d";
    /** Demo/steps, first attempt, v7: ctx.run("r1") runs, proposes "ran" asking for an ack, and suspends. */
    private static final String STEPS_RESPONSE_V7 = "04110000000000065801620272310005800000000009080172052272616e22"
            + "000100000000000a22080a01011201012801";
    /** The same in v5: no ack flag, and the suspension's flat layout. */
    private static final String STEPS_RESPONSE_V5 = "04110000000000065801620272310005000000000009080172052272616e22"
            + "00010000000000060a0101120101";
    /** Obj/getset, v7: an object with state {k: "5"} and key "a". */
    private static final String GETSET_REQUEST = "00000000000000350a180102030405060708a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8"
            + "120a696e765f3170726f6265180122060a016b120135320161482a040000000000000e0a080a03782d6812017672020a00";
    /** Obj/getset, v7: two eager reads, a write, an eager key listing, the output and the end. */
    private static final String GETSET_RESPONSE = "04070000000000080a016b72030a0135040700000000000b0a076d697373696e67"
            + "6a0004030000000000080a016b1a030a0136040800000000000572030a016b0401000000000021721f0a1d7b2276223a352c"
            + "2277223a6e756c6c2c226b657973223a5b226b225d7d0003000000000000";

    @Test
    void theStartAndInputFerryWritesAreTheBytesTheSdkAccepted() {
        Frame start = Frame.of(StartMessage.newBuilder()
                .setId(PROBE_ID)
                .setDebugId("inv_1probe")
                .setKnownEntries(1)
                .setRandomSeed(42)
                .build());
        Frame input = Frame.of(InputCommandMessage.newBuilder()
                .addHeaders(Header.newBuilder().setKey("x-h").setValue("v"))
                .setValue(Value.newBuilder().setContent(ByteString.copyFromUtf8("{}")))
                .build());

        assertThat(HEX.formatHex(FrameCodec.encode(List.of(start, input)))).isEqualTo(STEPS_REQUEST);
    }

    @Test
    void theRequestsDecodeToWhatTheProbeSent() {
        List<Frame> frames = decode(GETSET_REQUEST);

        StartMessage start = frames.get(0).message(StartMessage.class);
        assertThat(start.getId()).isEqualTo(PROBE_ID);
        assertThat(start.getDebugId()).isEqualTo("inv_1probe");
        assertThat(start.getKnownEntries()).isEqualTo(1);
        assertThat(start.getStateMapList()).singleElement().satisfies(entry -> {
            assertThat(entry.getKey().toStringUtf8()).isEqualTo("k");
            assertThat(entry.getValue().toStringUtf8()).isEqualTo("5");
        });
        assertThat(start.getPartialState()).isFalse();
        assertThat(start.getKey()).isEqualTo("a");
        assertThat(start.getRandomSeed()).isEqualTo(42);
        assertThat(start.hasIdempotencyKey()).isFalse();
        InputCommandMessage input = frames.get(1).message(InputCommandMessage.class);
        assertThat(input.getHeadersList()).containsExactly(Header.newBuilder().setKey("x-h").setValue("v").build());
        assertThat(input.hasValue()).isTrue();
        assertThat(input.getValue().getContent()).isEmpty();
    }

    @Test
    void framesKeepTheirBytesWhereEncodingTheMessageAgainWouldNot() {
        // The probe wrote the empty input as Value{content: ""} (0a00); protobuf leaves an empty field out. Only the
        // kept frame gives back what was journaled.
        List<Frame> frames = decode(GETSET_REQUEST);
        Frame input = frames.get(1);

        assertThat(HEX.formatHex(FrameCodec.encode(frames))).isEqualTo(GETSET_REQUEST);
        assertThat(Frame.of(input.message())).isNotEqualTo(input);
        assertThat(Frame.of(input.message()).message()).isEqualTo(input.message());
    }

    @Test
    void aRunProposedInV7AsksForAnAcknowledgementAndSuspendsOnAFuture() {
        List<Frame> frames = decode(STEPS_RESPONSE_V7);

        assertThat(frames).extracting(Frame::messageType).extracting(type -> type.orElseThrow())
                .containsExactly(MessageType.RUN_COMMAND, MessageType.PROPOSE_RUN_COMPLETION, MessageType.SUSPENSION);
        assertThat(frames.get(0).message()).isEqualTo(RunCommandMessage.newBuilder()
                .setResultCompletionId(1).setName("r1").build());
        assertThat(frames.get(1).flags()).isEqualTo(Frame.REQUESTED_ACK);
        ProposeRunCompletionMessage proposal = frames.get(1).message(ProposeRunCompletionMessage.class);
        assertThat(proposal.getResultCompletionId()).isEqualTo(1);
        assertThat(proposal.getValue().toStringUtf8()).isEqualTo("\"ran\"");
        SuspensionMessage suspension = frames.get(2).message(SuspensionMessage.class);
        assertThat(suspension.getWaitingCompletionsList()).isEmpty();
        assertThat(suspension.getAwaitingOn().getWaitingCompletionsList()).containsExactly(1);
        assertThat(suspension.getAwaitingOn().getWaitingSignalsList()).containsExactly(1);
        assertThat(suspension.getAwaitingOn().getCombinatorType()).isEqualTo(CombinatorType.FIRST_COMPLETED);
        assertThat(Notifications.awaitedBy(suspension))
                .containsExactly(new NotificationId.Completion(1), NotificationId.CANCEL);
        assertThat(HEX.formatHex(FrameCodec.encode(frames))).isEqualTo(STEPS_RESPONSE_V7);
    }

    @Test
    void aRunProposedInV5HasNoFlagAndSuspendsOnFlatLists() {
        List<Frame> frames = decode(STEPS_RESPONSE_V5);

        assertThat(frames.get(1).requestedAck()).isFalse();
        SuspensionMessage suspension = frames.get(2).message(SuspensionMessage.class);
        assertThat(suspension.hasAwaitingOn()).isFalse();
        assertThat(suspension.getWaitingCompletionsList()).containsExactly(1);
        assertThat(suspension.getWaitingSignalsList()).containsExactly(1);
        assertThat(Notifications.awaitedBy(suspension))
                .containsExactly(new NotificationId.Completion(1), NotificationId.CANCEL);
    }

    @Test
    void theRunProposalBecomesTheNotificationTheSdkReplayed() {
        // The probe's next attempt journaled exactly these bytes for the proposal, and the SDK went on to the sleep.
        ProposeRunCompletionMessage proposal = decode(STEPS_RESPONSE_V7).get(1).message(ProposeRunCompletionMessage.class);

        Frame notification = Frame.of(Notifications.runCompletionOf(proposal));

        assertThat(HEX.formatHex(notification.toByteArray())).isEqualTo("80110000" + "0000000b" + "0801" + "2a070a05"
                + "2272616e22");
        assertThat(Notifications.idOf(notification)).isEqualTo(new NotificationId.Completion(1));
    }

    @Test
    void stateCommandsOfAnObjectDecodeToWhatTheHandlerDid() {
        List<Frame> frames = decode(GETSET_RESPONSE);

        assertThat(frames).extracting(Frame::message).containsExactly(
                GetEagerStateCommandMessage.newBuilder().setKey(utf8("k")).setValue(value("5")).build(),
                GetEagerStateCommandMessage.newBuilder().setKey(utf8("missing")).setVoid(Void.getDefaultInstance())
                        .build(),
                SetStateCommandMessage.newBuilder().setKey(utf8("k")).setValue(value("6")).build(),
                GetEagerStateKeysCommandMessage.newBuilder().setValue(StateKeys.newBuilder().addKeys(utf8("k")))
                        .build(),
                OutputCommandMessage.newBuilder().setValue(value("{\"v\":5,\"w\":null,\"keys\":[\"k\"]}")).build(),
                EndMessage.getDefaultInstance());
        assertThat(HEX.formatHex(FrameCodec.encode(frames.stream().map(f -> Frame.of(f.message())).toList())))
                .as("these messages re-encode identically")
                .isEqualTo(GETSET_RESPONSE);
    }

    @Test
    void theAwakeableIdTheSdkProposedNamesTheProbesInvocationAndSignal17() {
        // "Demo/steps replay sleep done": ctx.run("deliver", () => aw.id) proposed the awakeable's id as its result.
        ProposeRunCompletionMessage proposal = ProposeRunCompletionMessage.newBuilder().setResultCompletionId(3)
                .setValue(utf8("\"sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ\"")).build();
        assertThat(proposal.getSerializedSize()).as("the probe's frame length").isEqualTo(50);
        String text = proposal.getValue().toStringUtf8();

        AwakeableId id = AwakeableId.parse(text.substring(1, text.length() - 1));

        assertThat(ByteString.copyFrom(id.invocationId())).isEqualTo(PROBE_ID);
        assertThat(id.signalIndex()).isEqualTo(17);
    }

    /**
     * The probe printed these frames decoded, with their lengths, rather than as hex. Encoding the fields it printed
     * gives frames of the SDK's lengths: the field numbers and wire types agree with the SDK's.
     */
    @Test
    void messagesBuiltFromTheProbesDecodedFieldsHaveTheSdksLengths() {
        assertThat(length(SleepCommandMessage.newBuilder().setWakeUpTime(1_796_170_681_154L).setResultCompletionId(2)))
                .isEqualTo(9);
        assertThat(length(CallCommandMessage.newBuilder().setServiceName("Demo").setHandlerName("boom")
                .setParameter(utf8("{\"a\":1}")).setInvocationIdNotificationIdx(1).setResultCompletionId(2)))
                .isEqualTo(25);
        assertThat(length(OneWayCallCommandMessage.newBuilder().setServiceName("Demo").setHandlerName("boom")
                .setParameter(utf8("{\"a\":1}")).setInvokeTime(1_796_170_685_220L).setIdempotencyKey("ik")
                .setInvocationIdNotificationIdx(1)))
                .isEqualTo(34);
        assertThat(length(GetPromiseCommandMessage.newBuilder().setKey("p").setResultCompletionId(1))).isEqualTo(5);
        assertThat(length(OutputCommandMessage.newBuilder().setFailure(failure(409, "Cancelled")))).isEqualTo(16);
        assertThat(length(OutputCommandMessage.newBuilder().setFailure(failure(418, "nope")))).isEqualTo(11);
        assertThat(length(ProposeRunCompletionMessage.newBuilder().setResultCompletionId(1)
                .setFailure(failure(422, "bad")))).isEqualTo(12);
        assertThat(length(RunCommandMessage.newBuilder().setResultCompletionId(3).setName("deliver"))).isEqualTo(11);
        assertThat(length(SuspensionMessage.newBuilder().setAwaitingOn(Future.newBuilder()
                .addWaitingCompletions(3).addWaitingSignals(1).setCombinatorType(CombinatorType.FIRST_COMPLETED))))
                .isEqualTo(10);
        assertThat(length(ErrorMessage.newBuilder().setCode(571)
                .setMessage("The input was closed while still waiting to receive all journal to replay")))
                .isEqualTo(78);
        assertThat(length(ErrorMessage.newBuilder().setCode(570).setMessage(JOURNAL_MISMATCH_MESSAGE)
                .setRelatedCommandIndex(1).setRelatedCommandName("r1").setRelatedCommandType(0x0411)))
                .isEqualTo(351);
    }

    @Test
    void theNotificationsTheProbeJournaledAreReadByTheirIds() {
        Frame sleepDone = Frame.of(SleepCompletionNotificationMessage.newBuilder().setCompletionId(2)
                .setVoid(Void.getDefaultInstance()).build());
        Frame woke = Frame.of(SignalNotificationMessage.newBuilder().setIdx(17).setValue(value("\"woke\"")).build());
        Frame cancel = Frame.of(SignalNotificationMessage.newBuilder().setIdx(1).setVoid(Void.getDefaultInstance())
                .build());

        assertThat(HEX.formatHex(sleepDone.toByteArray())).isEqualTo("800c000000000004" + "0802" + "2200");
        assertThat(HEX.formatHex(woke.toByteArray())).isEqualTo("fbff00000000000c" + "1011" + "2a080a06" + "22776f6b6522");
        assertThat(HEX.formatHex(cancel.toByteArray())).isEqualTo("fbff000000000004" + "1001" + "2200");
        assertThat(Notifications.idOf(sleepDone)).isEqualTo(new NotificationId.Completion(2));
        assertThat(Notifications.idOf(woke)).isEqualTo(new NotificationId.Signal(17));
        assertThat(Notifications.idOf(cancel)).isEqualTo(NotificationId.CANCEL);
    }

    private static final String JOURNAL_MISMATCH_MESSAGE = new String(HEX.parseHex(
            "466f756e642061206d69736d61746368206265747765656e2074686520636f64652070617468732074616b656e20647572696e6720"
            + "7468652070726576696f757320657865637574696f6e20616e64207468652070617468732074616b656e20647572696e67207468"
            + "697320657865637574696f6e2e0a54686973207479706963616c6c792068617070656e73207768656e20736f6d65207061727473"
            + "206f662074686520636f646520617265206e6f6e2d64657465726d696e69737469632e0a202d205468652070726576696f757320"
            + "657865637574696f6e2072616e20616e64207265636f726465642074686520666f6c6c6f77696e673a202772756e272028696e64"
            + "657820273127290a202d205468652063757272656e7420657865637574696f6e20617474656d70747320746f20706572666f726d"
            + "2074686520666f6c6c6f77696e673a2027736c65657027"), StandardCharsets.UTF_8);

    private static List<Frame> decode(String hex) {
        return FrameCodec.decode(HEX.parseHex(hex), MAX);
    }

    private static int length(Message.Builder message) {
        return Frame.of(message.build()).bodyLength();
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private static Value value(String text) {
        return Value.newBuilder().setContent(utf8(text)).build();
    }

    private static Failure failure(int code, String message) {
        return Failure.newBuilder().setCode(code).setMessage(message).build();
    }
}
