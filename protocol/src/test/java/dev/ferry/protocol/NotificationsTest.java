package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.protocol.messages.CallInvocationIdCompletionNotificationMessage;
import dev.ferry.protocol.messages.CombinatorType;
import dev.ferry.protocol.messages.Failure;
import dev.ferry.protocol.messages.Future;
import dev.ferry.protocol.messages.NotificationTemplate;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SignalNotificationMessage;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.protocol.messages.Value;
import org.junit.jupiter.api.Test;

class NotificationsTest {

    @Test
    void everyKindOfNotificationIdIsRead() {
        assertThat(Notifications.idOf(Frame.of(CallInvocationIdCompletionNotificationMessage.newBuilder()
                .setCompletionId(4).setInvocationId("inv_1abc").build())))
                .isEqualTo(new NotificationId.Completion(4));
        assertThat(Notifications.idOf(Frame.of(SignalNotificationMessage.newBuilder().setIdx(18).build())))
                .isEqualTo(new NotificationId.Signal(18));
        assertThat(Notifications.idOf(Frame.of(SignalNotificationMessage.newBuilder().setName("approved").build())))
                .isEqualTo(new NotificationId.NamedSignal("approved"));
    }

    @Test
    void theIdOfANotificationOfANewerProtocolIsReadFromItsSharedLayout() {
        Frame unknown = new Frame(0x8020, 0, NotificationTemplate.newBuilder().setCompletionId(9)
                .setValue(Value.getDefaultInstance()).build().toByteString());

        assertThat(unknown.messageType()).isEmpty();
        assertThat(Notifications.idOf(unknown)).isEqualTo(new NotificationId.Completion(9));
    }

    @Test
    void onlyNotificationsWithAnIdHaveOne() {
        assertThatThrownBy(() -> Notifications.idOf(Frame.of(RunCommandMessage.getDefaultInstance())))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("a frame of type 0x0411 is a command, not a notification");
        assertThatThrownBy(() -> Notifications.idOf(new Frame(0xFBFF, 0, ByteString.EMPTY)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("a notification of type 0xFBFF carries no completion id, signal index or signal name");
        assertThatThrownBy(() -> Notifications.idOf(new Frame(0x8011, 0, ByteString.fromHex("ff"))))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void everyLeafOfAFutureTreeIsAwaited() {
        SuspensionMessage suspension = SuspensionMessage.newBuilder().setAwaitingOn(Future.newBuilder()
                .setCombinatorType(CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED)
                .addWaitingCompletions(3)
                .addNestedFutures(Future.newBuilder().addWaitingSignals(17).addWaitingNamedSignals("approved")
                        .addNestedFutures(Future.newBuilder().addWaitingCompletions(5).addWaitingSignals(1)))
                .addNestedFutures(Future.newBuilder().addWaitingCompletions(3)))
                .build();

        assertThat(Notifications.awaitedBy(suspension)).containsExactly(
                new NotificationId.Completion(3),
                new NotificationId.Signal(17),
                new NotificationId.NamedSignal("approved"),
                new NotificationId.Completion(5),
                NotificationId.CANCEL);
    }

    @Test
    void theFlatLayoutOfV5AndV6IsAwaitedAsItIs() {
        SuspensionMessage suspension = SuspensionMessage.newBuilder().addWaitingCompletions(2)
                .addWaitingSignals(1).addWaitingNamedSignals("go").build();

        assertThat(Notifications.awaitedBy(suspension)).containsExactly(
                new NotificationId.Completion(2), NotificationId.CANCEL, new NotificationId.NamedSignal("go"));
        assertThat(Notifications.awaitedBy(SuspensionMessage.getDefaultInstance())).isEmpty();
    }

    @Test
    void aProposedFailureIsJournaledAsItIs() {
        Failure failure = Failure.newBuilder().setCode(422).setMessage("bad").build();

        RunCompletionNotificationMessage notification = Notifications.runCompletionOf(ProposeRunCompletionMessage
                .newBuilder().setResultCompletionId(7).setFailure(failure).build());

        assertThat(notification).isEqualTo(RunCompletionNotificationMessage.newBuilder().setCompletionId(7)
                .setFailure(failure).build());
    }

    @Test
    void anEmptyProposedValueIsStillAValue() {
        RunCompletionNotificationMessage notification = Notifications.runCompletionOf(ProposeRunCompletionMessage
                .newBuilder().setResultCompletionId(1).setValue(ByteString.EMPTY).build());

        assertThat(notification.hasValue()).isTrue();
        assertThat(notification.getValue().getContent()).isEmpty();
    }

    @Test
    void aProposalWithoutAResultIsRefused() {
        assertThatThrownBy(() -> Notifications.runCompletionOf(ProposeRunCompletionMessage.newBuilder()
                .setResultCompletionId(2).build()))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("the run proposal for completion 2 has neither a value nor a failure");
    }
}
