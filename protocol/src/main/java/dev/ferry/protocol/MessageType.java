package dev.ferry.protocol;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.ferry.protocol.messages.AttachInvocationCommandMessage;
import dev.ferry.protocol.messages.AttachInvocationCompletionNotificationMessage;
import dev.ferry.protocol.messages.AwaitingOnMessage;
import dev.ferry.protocol.messages.CallCommandMessage;
import dev.ferry.protocol.messages.CallCompletionNotificationMessage;
import dev.ferry.protocol.messages.CallInvocationIdCompletionNotificationMessage;
import dev.ferry.protocol.messages.ClearAllStateCommandMessage;
import dev.ferry.protocol.messages.ClearStateCommandMessage;
import dev.ferry.protocol.messages.CommandAckMessage;
import dev.ferry.protocol.messages.CompleteAwakeableCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCompletionNotificationMessage;
import dev.ferry.protocol.messages.EndMessage;
import dev.ferry.protocol.messages.ErrorMessage;
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
import dev.ferry.protocol.messages.SuspensionMessage;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every message type of Restate's service protocol v5 to v7: its 16-bit type id (the first two bytes of a frame), what
 * kind of message it is, who sends it, since which version it exists, and its protobuf class.
 *
 * <p>Custom entries (ids {@code 0xFC00} to {@code 0xFFFF}) have no constant here: the runtime does not read them, it
 * only journals and replays them. {@link Kind#of(int)} classifies any id, known or not.
 *
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public enum MessageType {
    // Control messages: they frame an attempt and are not journaled.
    START(0x0000, Kind.CONTROL, Sender.RUNTIME, ProtocolVersion.V5, StartMessage.class, StartMessage.parser()),
    SUSPENSION(0x0001, Kind.CONTROL, Sender.SERVICE, ProtocolVersion.V5,
            SuspensionMessage.class, SuspensionMessage.parser()),
    ERROR(0x0002, Kind.CONTROL, Sender.SERVICE, ProtocolVersion.V5, ErrorMessage.class, ErrorMessage.parser()),
    END(0x0003, Kind.CONTROL, Sender.SERVICE, ProtocolVersion.V5, EndMessage.class, EndMessage.parser()),
    COMMAND_ACK(0x0004, Kind.CONTROL, Sender.RUNTIME, ProtocolVersion.V5,
            CommandAckMessage.class, CommandAckMessage.parser()),
    PROPOSE_RUN_COMPLETION(0x0005, Kind.CONTROL, Sender.SERVICE, ProtocolVersion.V5,
            ProposeRunCompletionMessage.class, ProposeRunCompletionMessage.parser()),
    AWAITING_ON(0x0006, Kind.CONTROL, Sender.SERVICE, ProtocolVersion.V7,
            AwaitingOnMessage.class, AwaitingOnMessage.parser()),
    PROPOSE_RUN_COMPLETION_ACK(0x0007, Kind.CONTROL, Sender.RUNTIME, ProtocolVersion.V7,
            ProposeRunCompletionAckMessage.class, ProposeRunCompletionAckMessage.parser()),

    // Commands: what the handler did, journaled in order.
    INPUT_COMMAND(0x0400, Kind.COMMAND, Sender.RUNTIME, ProtocolVersion.V5,
            InputCommandMessage.class, InputCommandMessage.parser()),
    OUTPUT_COMMAND(0x0401, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            OutputCommandMessage.class, OutputCommandMessage.parser()),
    GET_LAZY_STATE_COMMAND(0x0402, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetLazyStateCommandMessage.class, GetLazyStateCommandMessage.parser()),
    SET_STATE_COMMAND(0x0403, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            SetStateCommandMessage.class, SetStateCommandMessage.parser()),
    CLEAR_STATE_COMMAND(0x0404, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            ClearStateCommandMessage.class, ClearStateCommandMessage.parser()),
    CLEAR_ALL_STATE_COMMAND(0x0405, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            ClearAllStateCommandMessage.class, ClearAllStateCommandMessage.parser()),
    GET_LAZY_STATE_KEYS_COMMAND(0x0406, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetLazyStateKeysCommandMessage.class, GetLazyStateKeysCommandMessage.parser()),
    GET_EAGER_STATE_COMMAND(0x0407, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetEagerStateCommandMessage.class, GetEagerStateCommandMessage.parser()),
    GET_EAGER_STATE_KEYS_COMMAND(0x0408, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetEagerStateKeysCommandMessage.class, GetEagerStateKeysCommandMessage.parser()),
    GET_PROMISE_COMMAND(0x0409, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetPromiseCommandMessage.class, GetPromiseCommandMessage.parser()),
    PEEK_PROMISE_COMMAND(0x040A, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            PeekPromiseCommandMessage.class, PeekPromiseCommandMessage.parser()),
    COMPLETE_PROMISE_COMMAND(0x040B, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            CompletePromiseCommandMessage.class, CompletePromiseCommandMessage.parser()),
    SLEEP_COMMAND(0x040C, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            SleepCommandMessage.class, SleepCommandMessage.parser()),
    CALL_COMMAND(0x040D, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            CallCommandMessage.class, CallCommandMessage.parser()),
    ONE_WAY_CALL_COMMAND(0x040E, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            OneWayCallCommandMessage.class, OneWayCallCommandMessage.parser()),
    // 0x040F is not assigned.
    SEND_SIGNAL_COMMAND(0x0410, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            SendSignalCommandMessage.class, SendSignalCommandMessage.parser()),
    RUN_COMMAND(0x0411, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            RunCommandMessage.class, RunCommandMessage.parser()),
    ATTACH_INVOCATION_COMMAND(0x0412, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            AttachInvocationCommandMessage.class, AttachInvocationCommandMessage.parser()),
    GET_INVOCATION_OUTPUT_COMMAND(0x0413, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            GetInvocationOutputCommandMessage.class, GetInvocationOutputCommandMessage.parser()),
    COMPLETE_AWAKEABLE_COMMAND(0x0414, Kind.COMMAND, Sender.SERVICE, ProtocolVersion.V5,
            CompleteAwakeableCommandMessage.class, CompleteAwakeableCommandMessage.parser()),

    // Notifications: results and signals the runtime journals for the handler. A command's completion has the id
    // 0x8000 | (the command's id & 0xFF), except the invocation id of a call or one-way call (0x800E).
    GET_LAZY_STATE_COMPLETION(0x8002, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            GetLazyStateCompletionNotificationMessage.class, GetLazyStateCompletionNotificationMessage.parser()),
    GET_LAZY_STATE_KEYS_COMPLETION(0x8006, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            GetLazyStateKeysCompletionNotificationMessage.class,
            GetLazyStateKeysCompletionNotificationMessage.parser()),
    GET_PROMISE_COMPLETION(0x8009, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            GetPromiseCompletionNotificationMessage.class, GetPromiseCompletionNotificationMessage.parser()),
    PEEK_PROMISE_COMPLETION(0x800A, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            PeekPromiseCompletionNotificationMessage.class, PeekPromiseCompletionNotificationMessage.parser()),
    COMPLETE_PROMISE_COMPLETION(0x800B, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            CompletePromiseCompletionNotificationMessage.class,
            CompletePromiseCompletionNotificationMessage.parser()),
    SLEEP_COMPLETION(0x800C, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            SleepCompletionNotificationMessage.class, SleepCompletionNotificationMessage.parser()),
    CALL_COMPLETION(0x800D, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            CallCompletionNotificationMessage.class, CallCompletionNotificationMessage.parser()),
    CALL_INVOCATION_ID_COMPLETION(0x800E, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            CallInvocationIdCompletionNotificationMessage.class,
            CallInvocationIdCompletionNotificationMessage.parser()),
    RUN_COMPLETION(0x8011, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            RunCompletionNotificationMessage.class, RunCompletionNotificationMessage.parser()),
    ATTACH_INVOCATION_COMPLETION(0x8012, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            AttachInvocationCompletionNotificationMessage.class,
            AttachInvocationCompletionNotificationMessage.parser()),
    GET_INVOCATION_OUTPUT_COMPLETION(0x8013, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            GetInvocationOutputCompletionNotificationMessage.class,
            GetInvocationOutputCompletionNotificationMessage.parser()),
    SIGNAL(0xFBFF, Kind.NOTIFICATION, Sender.RUNTIME, ProtocolVersion.V5,
            SignalNotificationMessage.class, SignalNotificationMessage.parser());

    private static final Map<Integer, MessageType> BY_ID = new HashMap<>();
    private static final Map<Class<? extends Message>, MessageType> BY_CLASS = new HashMap<>();

    static {
        for (MessageType type : values()) {
            BY_ID.put(type.id, type);
            BY_CLASS.put(type.messageClass, type);
        }
    }

    private final int id;
    private final Kind kind;
    private final Sender sender;
    private final ProtocolVersion since;
    private final Class<? extends Message> messageClass;
    private final Parser<? extends Message> parser;

    MessageType(int id, Kind kind, Sender sender, ProtocolVersion since, Class<? extends Message> messageClass,
            Parser<? extends Message> parser) {
        this.id = id;
        this.kind = kind;
        this.sender = sender;
        this.since = since;
        this.messageClass = messageClass;
        this.parser = parser;
    }

    /** The 16-bit type id, as written in the frame header. */
    public int id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public Sender sender() {
        return sender;
    }

    /** The first protocol version with this message. None was removed after it appeared. */
    public ProtocolVersion since() {
        return since;
    }

    /** The protocol versions in which this message exists. */
    public Set<ProtocolVersion> versions() {
        return EnumSet.range(since, ProtocolVersion.newest());
    }

    public boolean existsIn(ProtocolVersion version) {
        return version.isAtLeast(since);
    }

    /** The generated protobuf class of this message. */
    public Class<? extends Message> messageClass() {
        return messageClass;
    }

    /** The message's name in the specification, e.g. {@code StartMessage}. */
    public String specName() {
        return messageClass.getSimpleName();
    }

    /**
     * Whether a frame of this type may carry {@link Frame#REQUESTED_ACK}: only a run proposal does (set by SDKs in
     * v7). The flag means nothing on any other type and is ignored there.
     */
    public boolean allowsRequestedAck() {
        return this == PROPOSE_RUN_COMPLETION;
    }

    Parser<? extends Message> parser() {
        return parser;
    }

    /** The message type with this id, or empty for a custom entry or an id the protocol does not assign. */
    public static Optional<MessageType> ofId(int id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** The type of a message. */
    public static MessageType of(Message message) {
        MessageType type = BY_CLASS.get(message.getClass());
        if (type == null) {
            throw new IllegalArgumentException(message.getClass().getSimpleName()
                    + " is not a message of its own on the wire (it is nested in one)");
        }
        return type;
    }

    /** What a message is to the journal. */
    public enum Kind {
        /** Ids 0x0000 to 0x03FF: frames an attempt; never journaled. */
        CONTROL,
        /** Ids 0x0400 to 0x7FFF: journaled in order; on replay the handler's code must issue the same ones. */
        COMMAND,
        /** Ids 0x8000 to 0xFBFF: journaled; on replay the SDK finds them by their completion id or signal. */
        NOTIFICATION,
        /** Ids 0xFC00 to 0xFFFF: a service's own entries, journaled and replayed without being read. */
        CUSTOM_ENTRY;

        /**
         * The kind of any 16-bit type id, by its range. An id that {@link MessageType#ofId} does not know but that
         * falls outside the control range is a journal entry of a newer protocol or a custom entry; Restate journals
         * such entries as they are, and so can Ferry.
         */
        public static Kind of(int typeId) {
            if (typeId < 0 || typeId > 0xFFFF) {
                throw new IllegalArgumentException("a message type id is 16 bits: " + typeId);
            }
            if (typeId < 0x0400) {
                return CONTROL;
            }
            if (typeId < 0x8000) {
                return COMMAND;
            }
            if (typeId < 0xFC00) {
                return NOTIFICATION;
            }
            return CUSTOM_ENTRY;
        }
    }

    /** Who writes a message. */
    public enum Sender {
        /** Ferry, in the request body: the start, the input and every notification. */
        RUNTIME,
        /** The service's SDK, in the response body. */
        SERVICE
    }
}
