package dev.ferry.processor;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ferry.protocol.Frame;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.NotificationId;
import dev.ferry.protocol.Notifications;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.messages.Failure;
import dev.ferry.protocol.messages.Header;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.NotificationTemplate;
import dev.ferry.protocol.messages.Value;
import dev.ferry.protocol.messages.Void;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.journal.JournalEntry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reading and writing journal entries: between Ferry's {@link JournalEntry} (a type and bytes, as stored and sent)
 * and the service protocol's messages. The messages themselves are the {@code protocol} module's.
 */
final class JournalEntries {
    private JournalEntries() {}

    static JournalEntry of(MessageType type, Message message) {
        return new JournalEntry(type.id(), Payload.of(message.toByteArray()));
    }

    static Frame frameOf(JournalEntry entry) {
        return new Frame(entry.type(), 0, ByteString.copyFrom(entry.message().bytes()));
    }

    static Optional<MessageType> typeOf(JournalEntry entry) {
        return MessageType.ofId(entry.type());
    }

    /** The message of an entry of a type Ferry knows, parsed. */
    static <T extends Message> T message(JournalEntry entry, Class<T> messageClass) {
        return frameOf(entry).message(messageClass);
    }

    /** The first entry of every journal: the request's headers and body. */
    static JournalEntry input(List<dev.ferry.schemas.commands.Header> headers, Payload body) {
        InputCommandMessage.Builder input = InputCommandMessage.newBuilder()
                .setValue(Value.newBuilder().setContent(ByteString.copyFrom(body.bytes())));
        for (dev.ferry.schemas.commands.Header header : headers) {
            input.addHeaders(Header.newBuilder().setKey(header.name()).setValue(header.value()));
        }
        return of(MessageType.INPUT_COMMAND, input.build());
    }

    /**
     * Why the first of {@code entries} that is not a well-formed message is not (a message of a type Ferry knows
     * whose bytes do not parse, a notification without an id); null when they all are. Custom entries (types Ferry
     * does not know) are kept as they are.
     */
    static String firstMalformed(List<JournalEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            JournalEntry entry = entries.get(i);
            Optional<MessageType> type = typeOf(entry);
            if (type.isEmpty()) {
                continue;
            }
            try {
                Frame frame = frameOf(entry);
                frame.message();
                if (type.get().kind() == MessageType.Kind.NOTIFICATION) {
                    Notifications.idOf(frame);
                }
            } catch (ProtocolException e) {
                return "entry " + i + " of the attempt (" + type.get().specName() + ") is malformed: "
                        + e.getMessage();
            }
        }
        return null;
    }

    /** The ids of every notification in the journal. */
    static Set<NotificationId> notificationIds(List<JournalEntry> entries) {
        Set<NotificationId> ids = new LinkedHashSet<>();
        for (JournalEntry entry : entries) {
            Optional<MessageType> type = typeOf(entry);
            if (type.isPresent() && type.get().kind() == MessageType.Kind.NOTIFICATION) {
                ids.add(Notifications.idOf(frameOf(entry)));
            }
        }
        return ids;
    }

    /**
     * A notification of {@code type} completing {@code completionId} with {@code result}: every notification has
     * the layout of {@code NotificationTemplate}, so one builder makes them all.
     */
    static JournalEntry completion(MessageType type, int completionId, NotificationTemplate.Builder result) {
        return of(type, result.setCompletionId(completionId).build());
    }

    static JournalEntry signal(int index, NotificationTemplate.Builder result) {
        return of(MessageType.SIGNAL, result.setSignalId(index).build());
    }

    static JournalEntry namedSignal(String name, NotificationTemplate.Builder result) {
        return of(MessageType.SIGNAL, result.setSignalName(name).build());
    }

    static NotificationTemplate.Builder voidResult() {
        return NotificationTemplate.newBuilder().setVoid(Void.getDefaultInstance());
    }

    static NotificationTemplate.Builder valueResult(byte[] value) {
        return NotificationTemplate.newBuilder().setValue(Value.newBuilder().setContent(ByteString.copyFrom(value)));
    }

    static NotificationTemplate.Builder failureResult(int code, String message) {
        return NotificationTemplate.newBuilder().setFailure(failure(code, message));
    }

    /** The result of a value, or a failure when {@code failure} is given. */
    static NotificationTemplate.Builder result(Payload value, dev.ferry.schemas.commands.Failure failure) {
        return failure != null ? failureResult(failure.code(), failure.message()) : valueResult(value.bytes());
    }

    /** The result of an invocation that ended with {@code outcome}, as a call's notification carries it. */
    static NotificationTemplate.Builder result(Outcome outcome) {
        return outcome.succeeded() ? valueResult(outcome.success().body().bytes())
                : failureResult(outcome.failure().code(), outcome.failure().message());
    }

    static Failure failure(int code, String message) {
        return Failure.newBuilder().setCode(code).setMessage(message == null ? "" : message).build();
    }

    /** A protocol failure as Ferry's, with a code Ferry can answer with (a failure code is an HTTP-like 100–999). */
    static dev.ferry.schemas.commands.Failure failureOf(Failure failure) {
        int code = failure.getCode();
        return new dev.ferry.schemas.commands.Failure(code >= 100 && code <= 999 ? code : 500, failure.getMessage());
    }
}
