package dev.ferry.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.protocol.messages.Future;
import dev.ferry.protocol.messages.NotificationTemplate;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.protocol.messages.Value;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the runtime reads of notifications and suspensions, whatever their type and protocol version.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public final class Notifications {
    private Notifications() {}

    /**
     * The id of any notification frame (a completion, a signal or a named signal). Every notification shares the
     * layout of {@code NotificationTemplate}, so this works for types Ferry does not know as well.
     *
     * @throws ProtocolException when the frame is not a notification, or carries no id
     * @throws MalformedFrameException when its body is not a valid message
     */
    public static NotificationId idOf(Frame notification) {
        if (notification.kind() != MessageType.Kind.NOTIFICATION) {
            throw new ProtocolException("a frame of type " + Frame.hex(notification.type()) + " is a "
                    + notification.kind().name().toLowerCase(Locale.ROOT) + ", not a notification");
        }
        NotificationTemplate template;
        try {
            template = NotificationTemplate.parseFrom(notification.body());
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFrameException("the body of a notification of type " + Frame.hex(notification.type())
                    + " is not a valid notification: " + e.getMessage(), e);
        }
        return switch (template.getIdCase()) {
            case COMPLETION_ID -> new NotificationId.Completion(template.getCompletionId());
            case SIGNAL_ID -> new NotificationId.Signal(template.getSignalId());
            case SIGNAL_NAME -> new NotificationId.NamedSignal(template.getSignalName());
            case ID_NOT_SET -> throw new ProtocolException("a notification of type "
                    + Frame.hex(notification.type()) + " carries no completion id, signal index or signal name");
        };
    }

    /**
     * Every notification a suspended handler waits for, flattened, in the order the message lists them. Reads both
     * layouts: the flat lists of v5 and v6 and the tree of futures of v7.
     *
     * <p>The handler can go on once any one of them is journaled (for a v7 tree that combines futures with "all", it
     * may suspend again, which costs an attempt and nothing else). SDKs always include {@link NotificationId#CANCEL}.
     */
    public static Set<NotificationId> awaitedBy(SuspensionMessage suspension) {
        Set<NotificationId> awaited = new LinkedHashSet<>();
        suspension.getWaitingCompletionsList().forEach(id -> awaited.add(new NotificationId.Completion(id)));
        suspension.getWaitingSignalsList().forEach(index -> awaited.add(new NotificationId.Signal(index)));
        suspension.getWaitingNamedSignalsList().forEach(name -> awaited.add(new NotificationId.NamedSignal(name)));
        if (suspension.hasAwaitingOn()) {
            addLeaves(suspension.getAwaitingOn(), awaited);
        }
        return awaited;
    }

    private static void addLeaves(Future future, Set<NotificationId> awaited) {
        future.getWaitingCompletionsList().forEach(id -> awaited.add(new NotificationId.Completion(id)));
        future.getWaitingSignalsList().forEach(index -> awaited.add(new NotificationId.Signal(index)));
        future.getWaitingNamedSignalsList().forEach(name -> awaited.add(new NotificationId.NamedSignal(name)));
        for (Future nested : future.getNestedFuturesList()) {
            addLeaves(nested, awaited);
        }
    }

    /**
     * The notification that journals a proposed run result. The proposal carries the value as raw bytes; the
     * notification wraps them in a {@code Value}. A failure is carried over as it is.
     *
     * @throws ProtocolException when the proposal has neither a value nor a failure
     */
    public static RunCompletionNotificationMessage runCompletionOf(ProposeRunCompletionMessage proposal) {
        RunCompletionNotificationMessage.Builder notification = RunCompletionNotificationMessage.newBuilder()
                .setCompletionId(proposal.getResultCompletionId());
        return switch (proposal.getResultCase()) {
            case VALUE -> notification.setValue(Value.newBuilder().setContent(proposal.getValue())).build();
            case FAILURE -> notification.setFailure(proposal.getFailure()).build();
            case RESULT_NOT_SET -> throw new ProtocolException("the run proposal for completion "
                    + proposal.getResultCompletionId() + " has neither a value nor a failure");
        };
    }
}
