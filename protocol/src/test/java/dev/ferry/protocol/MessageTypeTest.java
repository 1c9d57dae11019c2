package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.protocol.MessageType.Kind;
import dev.ferry.protocol.messages.Failure;
import dev.ferry.protocol.messages.RunCommandMessage;
import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MessageTypeTest {

    @ParameterizedTest
    @CsvSource({
        "START, 0x0000, StartMessage",
        "SUSPENSION, 0x0001, SuspensionMessage",
        "ERROR, 0x0002, ErrorMessage",
        "END, 0x0003, EndMessage",
        "COMMAND_ACK, 0x0004, CommandAckMessage",
        "PROPOSE_RUN_COMPLETION, 0x0005, ProposeRunCompletionMessage",
        "AWAITING_ON, 0x0006, AwaitingOnMessage",
        "PROPOSE_RUN_COMPLETION_ACK, 0x0007, ProposeRunCompletionAckMessage",
        "INPUT_COMMAND, 0x0400, InputCommandMessage",
        "OUTPUT_COMMAND, 0x0401, OutputCommandMessage",
        "GET_LAZY_STATE_COMMAND, 0x0402, GetLazyStateCommandMessage",
        "SET_STATE_COMMAND, 0x0403, SetStateCommandMessage",
        "CLEAR_STATE_COMMAND, 0x0404, ClearStateCommandMessage",
        "CLEAR_ALL_STATE_COMMAND, 0x0405, ClearAllStateCommandMessage",
        "GET_LAZY_STATE_KEYS_COMMAND, 0x0406, GetLazyStateKeysCommandMessage",
        "GET_EAGER_STATE_COMMAND, 0x0407, GetEagerStateCommandMessage",
        "GET_EAGER_STATE_KEYS_COMMAND, 0x0408, GetEagerStateKeysCommandMessage",
        "GET_PROMISE_COMMAND, 0x0409, GetPromiseCommandMessage",
        "PEEK_PROMISE_COMMAND, 0x040A, PeekPromiseCommandMessage",
        "COMPLETE_PROMISE_COMMAND, 0x040B, CompletePromiseCommandMessage",
        "SLEEP_COMMAND, 0x040C, SleepCommandMessage",
        "CALL_COMMAND, 0x040D, CallCommandMessage",
        "ONE_WAY_CALL_COMMAND, 0x040E, OneWayCallCommandMessage",
        "SEND_SIGNAL_COMMAND, 0x0410, SendSignalCommandMessage",
        "RUN_COMMAND, 0x0411, RunCommandMessage",
        "ATTACH_INVOCATION_COMMAND, 0x0412, AttachInvocationCommandMessage",
        "GET_INVOCATION_OUTPUT_COMMAND, 0x0413, GetInvocationOutputCommandMessage",
        "COMPLETE_AWAKEABLE_COMMAND, 0x0414, CompleteAwakeableCommandMessage",
        "GET_LAZY_STATE_COMPLETION, 0x8002, GetLazyStateCompletionNotificationMessage",
        "GET_LAZY_STATE_KEYS_COMPLETION, 0x8006, GetLazyStateKeysCompletionNotificationMessage",
        "GET_PROMISE_COMPLETION, 0x8009, GetPromiseCompletionNotificationMessage",
        "PEEK_PROMISE_COMPLETION, 0x800A, PeekPromiseCompletionNotificationMessage",
        "COMPLETE_PROMISE_COMPLETION, 0x800B, CompletePromiseCompletionNotificationMessage",
        "SLEEP_COMPLETION, 0x800C, SleepCompletionNotificationMessage",
        "CALL_COMPLETION, 0x800D, CallCompletionNotificationMessage",
        "CALL_INVOCATION_ID_COMPLETION, 0x800E, CallInvocationIdCompletionNotificationMessage",
        "RUN_COMPLETION, 0x8011, RunCompletionNotificationMessage",
        "ATTACH_INVOCATION_COMPLETION, 0x8012, AttachInvocationCompletionNotificationMessage",
        "GET_INVOCATION_OUTPUT_COMPLETION, 0x8013, GetInvocationOutputCompletionNotificationMessage",
        "SIGNAL, 0xFBFF, SignalNotificationMessage",
    })
    void eachTypeHasTheSpecificationsIdAndName(MessageType type, String hexId, String specName) {
        int id = Integer.decode(hexId);

        assertThat(type.id()).isEqualTo(id);
        assertThat(type.specName()).isEqualTo(specName);
        assertThat(MessageType.ofId(id)).contains(type);
    }

    @Test
    void theTableAboveListsEveryType() {
        assertThat(MessageType.values()).hasSize(40);
        assertThat(Arrays.stream(MessageType.values()).map(MessageType::id).distinct()).hasSize(40);
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void eachTypesIdLiesInTheRangeOfItsKind(MessageType type) {
        assertThat(Kind.of(type.id())).isEqualTo(type.kind());
    }

    @Test
    void kindsFollowTheRangesOfTheSpecification() {
        assertThat(Kind.of(0x0000)).isEqualTo(Kind.CONTROL);
        assertThat(Kind.of(0x03FF)).isEqualTo(Kind.CONTROL);
        assertThat(Kind.of(0x0400)).isEqualTo(Kind.COMMAND);
        assertThat(Kind.of(0x7FFF)).isEqualTo(Kind.COMMAND);
        assertThat(Kind.of(0x8000)).isEqualTo(Kind.NOTIFICATION);
        assertThat(Kind.of(0xFBFF)).isEqualTo(Kind.NOTIFICATION);
        assertThat(Kind.of(0xFC00)).isEqualTo(Kind.CUSTOM_ENTRY);
        assertThat(Kind.of(0xFFFF)).isEqualTo(Kind.CUSTOM_ENTRY);
        assertThatThrownBy(() -> Kind.of(0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Kind.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void customEntriesAndUnassignedIdsHaveNoType() {
        assertThat(MessageType.ofId(0xFC00)).isEmpty();
        assertThat(MessageType.ofId(0xFFFF)).isEmpty();
        assertThat(MessageType.ofId(0x040F)).as("0x040F is not assigned").isEmpty();
        assertThat(MessageType.ofId(0x0008)).isEmpty();
    }

    @Test
    void onlyAwaitingOnAndTheRunAcknowledgementAreNewInV7() {
        EnumSet<MessageType> sinceV7 = EnumSet.noneOf(MessageType.class);
        for (MessageType type : MessageType.values()) {
            if (type.since() == ProtocolVersion.V7) {
                sinceV7.add(type);
            } else {
                assertThat(type.since()).isEqualTo(ProtocolVersion.V5);
                assertThat(type.versions()).containsExactly(ProtocolVersion.V5, ProtocolVersion.V6, ProtocolVersion.V7);
            }
        }
        assertThat(sinceV7).containsExactlyInAnyOrder(MessageType.AWAITING_ON, MessageType.PROPOSE_RUN_COMPLETION_ACK);
        assertThat(MessageType.AWAITING_ON.versions()).containsExactly(ProtocolVersion.V7);
        assertThat(MessageType.AWAITING_ON.existsIn(ProtocolVersion.V6)).isFalse();
        assertThat(MessageType.AWAITING_ON.existsIn(ProtocolVersion.V7)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = MessageType.class, mode = EnumSource.Mode.MATCH_ALL,
            names = {".*_COMPLETION$", "^(?!CALL_INVOCATION_ID_|PROPOSE_RUN_).*"})
    void aCompletionsIdIsItsCommandsWithTheTopBitSet(MessageType completion) {
        MessageType command = MessageType.ofId(0x0400 | (completion.id() & 0xFF)).orElseThrow();

        assertThat(command.kind()).isEqualTo(Kind.COMMAND);
        assertThat(completion.specName().replace("CompletionNotificationMessage", ""))
                .isEqualTo(command.specName().replace("CommandMessage", ""));
    }

    @Test
    void theRuntimeWritesTheInputAndEveryNotification() {
        for (MessageType type : MessageType.values()) {
            if (type.kind() == Kind.NOTIFICATION) {
                assertThat(type.sender()).as(type.name()).isEqualTo(MessageType.Sender.RUNTIME);
            }
            if (type.kind() == Kind.COMMAND) {
                assertThat(type.sender()).as(type.name()).isEqualTo(
                        type == MessageType.INPUT_COMMAND ? MessageType.Sender.RUNTIME : MessageType.Sender.SERVICE);
            }
        }
    }

    @Test
    void onlyARunProposalMayAskForAnAcknowledgement() {
        assertThat(Arrays.stream(MessageType.values()).filter(MessageType::allowsRequestedAck))
                .containsExactly(MessageType.PROPOSE_RUN_COMPLETION);
    }

    @Test
    void aMessageKnowsItsType() {
        assertThat(MessageType.of(RunCommandMessage.getDefaultInstance())).isEqualTo(MessageType.RUN_COMMAND);
        assertThat(MessageType.RUN_COMMAND.messageClass()).isEqualTo(RunCommandMessage.class);
        assertThatThrownBy(() -> MessageType.of(Failure.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Failure is not a message of its own on the wire");
    }
}
