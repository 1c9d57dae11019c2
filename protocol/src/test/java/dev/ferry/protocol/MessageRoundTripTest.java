package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.ferry.protocol.messages.AttachInvocationCommandMessage;
import dev.ferry.protocol.messages.AttachInvocationCompletionNotificationMessage;
import dev.ferry.protocol.messages.AwaitingOnMessage;
import dev.ferry.protocol.messages.CallCommandMessage;
import dev.ferry.protocol.messages.CallCompletionNotificationMessage;
import dev.ferry.protocol.messages.CallInvocationIdCompletionNotificationMessage;
import dev.ferry.protocol.messages.ClearAllStateCommandMessage;
import dev.ferry.protocol.messages.ClearStateCommandMessage;
import dev.ferry.protocol.messages.CombinatorType;
import dev.ferry.protocol.messages.CommandAckMessage;
import dev.ferry.protocol.messages.CompleteAwakeableCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCompletionNotificationMessage;
import dev.ferry.protocol.messages.EndMessage;
import dev.ferry.protocol.messages.ErrorBehavior;
import dev.ferry.protocol.messages.ErrorMessage;
import dev.ferry.protocol.messages.Failure;
import dev.ferry.protocol.messages.FailureMetadata;
import dev.ferry.protocol.messages.Future;
import dev.ferry.protocol.messages.GetEagerStateCommandMessage;
import dev.ferry.protocol.messages.GetEagerStateKeysCommandMessage;
import dev.ferry.protocol.messages.GetInvocationOutputCommandMessage;
import dev.ferry.protocol.messages.GetInvocationOutputCompletionNotificationMessage;
import dev.ferry.protocol.messages.GetLazyStateCommandMessage;
import dev.ferry.protocol.messages.GetLazyStateCompletionNotificationMessage;
import dev.ferry.protocol.messages.GetLazyStateKeysCommandMessage;
import dev.ferry.protocol.messages.GetLazyStateKeysCompletionNotificationMessage;
import dev.ferry.protocol.messages.GetPromiseCommandMessage;
import dev.ferry.protocol.messages.GetPromiseCompletionNotificationMessage;
import dev.ferry.protocol.messages.Header;
import dev.ferry.protocol.messages.IdempotentRequestTarget;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.OneWayCallCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.PeekPromiseCommandMessage;
import dev.ferry.protocol.messages.PeekPromiseCompletionNotificationMessage;
import dev.ferry.protocol.messages.ProposeRunCompletionAckMessage;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SendSignalCommandMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SignalNotificationMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import dev.ferry.protocol.messages.SleepCompletionNotificationMessage;
import dev.ferry.protocol.messages.StartMessage;
import dev.ferry.protocol.messages.StateKeys;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.protocol.messages.Void;
import dev.ferry.protocol.messages.WorkflowTarget;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every message of the protocol survives framing, encoding, decoding and parsing, with every field it has set in at
 * least one sample (so every field number of the .proto is exercised).
 */
class MessageRoundTripTest {
    private static final Map<MessageType, List<Message>> SAMPLES = samples();

    @Test
    void everyTypeHasSamples() {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrder(MessageType.values());
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everySampleSurvivesTheWire(MessageType type) {
        for (Message sample : SAMPLES.get(type)) {
            Frame frame = Frame.of(sample);
            assertThat(frame.type()).isEqualTo(type.id());

            List<Frame> decoded = FrameCodec.decode(frame.toByteArray(), 1 << 20);

            assertThat(decoded).containsExactly(frame);
            assertThat(decoded.get(0).message()).isEqualTo(sample);
            assertThat(decoded.get(0).message(type.messageClass())).isEqualTo(sample);
        }
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void theSamplesOfEachTypeSetEveryOneOfItsFields(MessageType type) {
        Set<Integer> declared = SAMPLES.get(type).get(0).getDescriptorForType().getFields().stream()
                .map(FieldDescriptor::getNumber)
                .collect(Collectors.toSet());
        Set<Integer> set = new HashSet<>();
        for (Message sample : SAMPLES.get(type)) {
            sample.getAllFields().keySet().forEach(field -> set.add(field.getNumber()));
        }

        assertThat(set).isEqualTo(declared);
    }

    private static Map<MessageType, List<Message>> samples() {
        Value value = Value.newBuilder().setContent(ByteString.copyFromUtf8("{\"a\":1}")).build();
        Value emptyValue = Value.getDefaultInstance();
        Void none = Void.getDefaultInstance();
        Failure failure = Failure.newBuilder().setCode(409).setMessage("promise was already completed")
                .addMetadata(FailureMetadata.newBuilder().setKey("k").setValue("v")).build();
        Header header = Header.newBuilder().setKey("x-h").setValue("v").build();
        StateKeys keys = StateKeys.newBuilder().addKeys(ByteString.copyFromUtf8("a"))
                .addKeys(ByteString.copyFromUtf8("b")).build();
        Future future = Future.newBuilder()
                .setCombinatorType(CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED)
                .addWaitingCompletions(3)
                .addNestedFutures(Future.newBuilder().setCombinatorType(CombinatorType.FIRST_COMPLETED)
                        .addWaitingSignals(1).addWaitingSignals(17).addWaitingNamedSignals("approved"))
                .build();
        WorkflowTarget workflow = WorkflowTarget.newBuilder().setWorkflowName("Signup").setWorkflowKey("ana")
                .setScope("tenant-1").build();
        IdempotentRequestTarget idempotent = IdempotentRequestTarget.newBuilder().setServiceName("Counter")
                .setServiceKey("c1").setHandlerName("add").setIdempotencyKey("ik-1").setScope("tenant-1").build();

        Map<MessageType, List<Message>> samples = new EnumMap<>(MessageType.class);
        add(samples, StartMessage.newBuilder()
                .setId(ByteString.copyFrom(new byte[24]))
                .setDebugId("inv_1abc")
                .setKnownEntries(3)
                .addStateMap(StartMessage.StateEntry.newBuilder().setKey(ByteString.copyFromUtf8("count"))
                        .setValue(ByteString.copyFromUtf8("5")))
                .addStateMap(StartMessage.StateEntry.newBuilder().setKey(ByteString.copyFromUtf8("empty")))
                .setPartialState(true)
                .setKey("ana")
                .setRetryCountSinceLastStoredEntry(2)
                .setDurationSinceLastStoredEntry(1_500)
                .setRandomSeed(-42L)
                .setScope("tenant-1")
                .setLimitKey("lk")
                .setIdempotencyKey("ik-1")
                .build());
        add(samples,
                SuspensionMessage.newBuilder().addWaitingCompletions(1).addWaitingCompletions(2).addWaitingSignals(1)
                        .addWaitingNamedSignals("approved").build(),
                SuspensionMessage.newBuilder().setAwaitingOn(future).build());
        add(samples, ErrorMessage.newBuilder().setCode(570).setMessage("mismatch").setStacktrace("at x")
                .setRelatedCommandIndex(1).setRelatedCommandName("r1").setRelatedCommandType(0x0411)
                .setNextRetryDelay(7000).setBehavior(ErrorBehavior.PAUSE).build());
        add(samples, EndMessage.getDefaultInstance());
        add(samples, CommandAckMessage.newBuilder().setCommandIndex(4).build());
        add(samples,
                ProposeRunCompletionMessage.newBuilder().setResultCompletionId(1)
                        .setValue(ByteString.copyFromUtf8("\"ran\"")).build(),
                ProposeRunCompletionMessage.newBuilder().setResultCompletionId(2).setFailure(failure).build());
        add(samples, AwaitingOnMessage.newBuilder().setAwaitingOn(future).setExecutingSideEffects(true).build());
        add(samples, ProposeRunCompletionAckMessage.newBuilder().setCompletionId(1).build());

        add(samples, InputCommandMessage.newBuilder().addHeaders(header).setValue(value).setName("input").build());
        add(samples,
                OutputCommandMessage.newBuilder().setValue(value).setName("output").build(),
                OutputCommandMessage.newBuilder().setFailure(failure).build());
        add(samples, GetLazyStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setResultCompletionId(2).setName("get").build());
        add(samples, SetStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(value)
                .setName("set").build());
        add(samples, ClearStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("k")).setName("clear")
                .build());
        add(samples, ClearAllStateCommandMessage.newBuilder().setName("clear all").build());
        add(samples, GetLazyStateKeysCommandMessage.newBuilder().setResultCompletionId(3).setName("keys").build());
        add(samples,
                GetEagerStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(emptyValue)
                        .setName("get").build(),
                GetEagerStateCommandMessage.newBuilder().setKey(ByteString.copyFromUtf8("missing")).setVoid(none)
                        .build());
        add(samples, GetEagerStateKeysCommandMessage.newBuilder().setValue(keys).setName("keys").build());
        add(samples, GetPromiseCommandMessage.newBuilder().setKey("p").setResultCompletionId(1).setName("p")
                .build());
        add(samples, PeekPromiseCommandMessage.newBuilder().setKey("p").setResultCompletionId(1).setName("p")
                .build());
        add(samples,
                CompletePromiseCommandMessage.newBuilder().setKey("p").setCompletionValue(value)
                        .setResultCompletionId(4).setName("resolve").build(),
                CompletePromiseCommandMessage.newBuilder().setKey("p").setCompletionFailure(failure)
                        .setResultCompletionId(5).build());
        add(samples, SleepCommandMessage.newBuilder().setWakeUpTime(1_796_170_681_154L).setResultCompletionId(2)
                .setName("nap").build());
        add(samples, CallCommandMessage.newBuilder().setServiceName("Counter").setHandlerName("add")
                .setParameter(ByteString.copyFromUtf8("1")).addHeaders(header).setKey("c1")
                .setIdempotencyKey("ik-1").setScope("tenant-1").setLimitKey("lk")
                .setInvocationIdNotificationIdx(1).setResultCompletionId(2).setName("call").build());
        add(samples, OneWayCallCommandMessage.newBuilder().setServiceName("Signup").setHandlerName("run")
                .setParameter(ByteString.copyFromUtf8("{}")).setInvokeTime(1_796_170_685_220L).addHeaders(header)
                .setKey("ana").setIdempotencyKey("ik").setScope("tenant-1").setLimitKey("lk")
                .setInvocationIdNotificationIdx(1).setName("send").build());
        add(samples,
                SendSignalCommandMessage.newBuilder().setTargetInvocationId("inv_1abc").setIdx(1).setVoid(none)
                        .setEntryName("cancel").build(),
                SendSignalCommandMessage.newBuilder().setTargetInvocationId("inv_1abc").setName("approved")
                        .setValue(value).build(),
                SendSignalCommandMessage.newBuilder().setTargetInvocationId("inv_1abc").setIdx(17)
                        .setFailure(failure).build());
        add(samples, RunCommandMessage.newBuilder().setResultCompletionId(1).setName("r1").build());
        add(samples,
                AttachInvocationCommandMessage.newBuilder().setInvocationId("inv_1abc").setResultCompletionId(1)
                        .setName("attach").build(),
                AttachInvocationCommandMessage.newBuilder().setIdempotentRequestTarget(idempotent).build(),
                AttachInvocationCommandMessage.newBuilder().setWorkflowTarget(workflow).build());
        add(samples,
                GetInvocationOutputCommandMessage.newBuilder().setInvocationId("inv_1abc").setResultCompletionId(1)
                        .setName("output").build(),
                GetInvocationOutputCommandMessage.newBuilder().setIdempotentRequestTarget(idempotent).build(),
                GetInvocationOutputCommandMessage.newBuilder().setWorkflowTarget(workflow).build());
        add(samples,
                CompleteAwakeableCommandMessage.newBuilder()
                        .setAwakeableId("sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ").setValue(value)
                        .setName("resolve").build(),
                CompleteAwakeableCommandMessage.newBuilder()
                        .setAwakeableId("sign_1AQIDBAUGBwihoqOkpaanqLGys7S1tre4AAAAEQ").setFailure(failure).build());

        add(samples,
                GetLazyStateCompletionNotificationMessage.newBuilder().setCompletionId(2).setValue(value).build(),
                GetLazyStateCompletionNotificationMessage.newBuilder().setCompletionId(2).setVoid(none).build());
        add(samples, GetLazyStateKeysCompletionNotificationMessage.newBuilder().setCompletionId(3).setStateKeys(keys)
                .build());
        add(samples,
                GetPromiseCompletionNotificationMessage.newBuilder().setCompletionId(1).setValue(value).build(),
                GetPromiseCompletionNotificationMessage.newBuilder().setCompletionId(1).setFailure(failure).build());
        add(samples,
                PeekPromiseCompletionNotificationMessage.newBuilder().setCompletionId(1).setVoid(none).build(),
                PeekPromiseCompletionNotificationMessage.newBuilder().setCompletionId(1).setValue(value).build(),
                PeekPromiseCompletionNotificationMessage.newBuilder().setCompletionId(1).setFailure(failure).build());
        add(samples,
                CompletePromiseCompletionNotificationMessage.newBuilder().setCompletionId(4).setVoid(none).build(),
                CompletePromiseCompletionNotificationMessage.newBuilder().setCompletionId(5).setFailure(failure)
                        .build());
        add(samples, SleepCompletionNotificationMessage.newBuilder().setCompletionId(2).setVoid(none).build());
        add(samples,
                CallCompletionNotificationMessage.newBuilder().setCompletionId(2).setValue(value).build(),
                CallCompletionNotificationMessage.newBuilder().setCompletionId(2).setFailure(failure).build());
        add(samples, CallInvocationIdCompletionNotificationMessage.newBuilder().setCompletionId(1)
                .setInvocationId("inv_1abc").build());
        add(samples,
                RunCompletionNotificationMessage.newBuilder().setCompletionId(1).setValue(value).build(),
                RunCompletionNotificationMessage.newBuilder().setCompletionId(1).setFailure(failure).build());
        add(samples,
                AttachInvocationCompletionNotificationMessage.newBuilder().setCompletionId(1).setValue(value).build(),
                AttachInvocationCompletionNotificationMessage.newBuilder().setCompletionId(1).setFailure(failure)
                        .build());
        add(samples,
                GetInvocationOutputCompletionNotificationMessage.newBuilder().setCompletionId(1).setVoid(none).build(),
                GetInvocationOutputCompletionNotificationMessage.newBuilder().setCompletionId(1).setValue(value)
                        .build(),
                GetInvocationOutputCompletionNotificationMessage.newBuilder().setCompletionId(1).setFailure(failure)
                        .build());
        add(samples,
                SignalNotificationMessage.newBuilder().setIdx(1).setVoid(none).build(),
                SignalNotificationMessage.newBuilder().setIdx(17).setValue(value).build(),
                SignalNotificationMessage.newBuilder().setName("approved").setFailure(failure).build());
        return samples;
    }

    private static void add(Map<MessageType, List<Message>> samples, Message... messages) {
        for (Message message : messages) {
            samples.computeIfAbsent(MessageType.of(message), type -> new ArrayList<>()).add(message);
        }
    }
}
