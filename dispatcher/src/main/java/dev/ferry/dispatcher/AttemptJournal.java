package dev.ferry.dispatcher;

import dev.ferry.protocol.ErrorCodes;
import dev.ferry.protocol.Frame;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.NotificationId;
import dev.ferry.protocol.Notifications;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.ProtocolVersion;
import dev.ferry.protocol.messages.ErrorBehavior;
import dev.ferry.protocol.messages.ErrorMessage;
import dev.ferry.protocol.messages.ProposeRunCompletionMessage;
import dev.ferry.protocol.messages.SuspensionMessage;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a service written with a Restate SDK answers in one attempt, taken frame by frame as its response body arrives:
 * the journal entries it wrote, in order, and how the attempt ended. This is the body of the attempt's
 * {@code JournalAppend}.
 *
 * <p>Frame by frame:
 *
 * <ul>
 *   <li>commands and custom entries are journal entries, kept with their exact bytes (the SDK compares replayed
 *       commands with what its code does);
 *   <li>a {@code ProposeRunCompletionMessage} becomes the {@code RunCompletionNotificationMessage} that journals its
 *       result, at the proposal's position; its {@code REQUESTED_ACK} flag asks for an answer only a bidirectional
 *       stream could carry, and the journaled notification is what the next attempt replays instead;
 *   <li>{@code EndMessage}, {@code SuspensionMessage} and {@code ErrorMessage} end the attempt; nothing after them is
 *       read;
 *   <li>{@code AwaitingOnMessage} (a v7 hint of what the handler waits for, sent on bidirectional streams), and
 *       {@code CommandAckMessage} and {@code ProposeRunCompletionAckMessage} (the runtime's own messages, meaningless
 *       from a service) carry nothing for the journal and are skipped, as are control messages of a newer protocol:
 *       if one of those ended the attempt, the stream ends without an end Ferry knows, which fails the attempt;
 *   <li>a start message, an input command or a notification comes only from the runtime: from a service it is a
 *       protocol violation.
 * </ul>
 *
 * <p>The entries must fit one record of the command log. Their size in it is counted as they arrive (their bytes are
 * base64 there); the first that would not fit ends the attempt as failed, with the entries before it: the next
 * attempt replays those and goes on from there. Counting as they arrive also bounds what a service that writes without
 * end makes the dispatcher hold.
 *
 * <p>Not thread-safe: one reader per attempt.
 */
final class AttemptJournal {
    /**
     * What one entry adds to a {@code JournalAppend} record besides its base64 text, at most:
     * {@code {"type":65535,"message":{"$base64":""}},}.
     */
    static final int ENTRY_JSON_OVERHEAD = 48;
    /**
     * Room in the record for what is not an entry or an awaited id: the record's type, ids and attempt, and a failure
     * message (at most 4,096 characters, up to 6 bytes each once JSON-escaped).
     */
    static final int ENVELOPE_JSON_BYTES = 64 * 1024;

    private final ProtocolVersion version;
    private final long recordBytes;
    private final List<JournalEntry> entries = new ArrayList<>();
    /** An output command is in the journal: replayed, or written in this attempt. An end needs one. */
    private boolean outputWritten;
    private long jsonBytes = ENVELOPE_JSON_BYTES;
    private AttemptEnd end;

    /**
     * @param outputReplayed whether the replayed journal holds an output command already
     * @param recordBytes the largest record on the command log
     */
    AttemptJournal(ProtocolVersion version, boolean outputReplayed, long recordBytes) {
        this.version = version;
        this.outputWritten = outputReplayed;
        this.recordBytes = recordBytes;
    }

    /**
     * Takes the next frame of the response body.
     *
     * @return true once the attempt has ended: read no more
     * @throws ProtocolException when a message is malformed, or the service sent a message only the runtime sends;
     *     the entries taken before stay valid
     */
    boolean take(Frame frame) {
        if (end == null) {
            journal(frame);
        }
        return end != null;
    }

    /** The journal entries the service wrote, whole frames only, in order. */
    List<JournalEntry> entries() {
        return entries;
    }

    /** How the attempt ended, or null while it has not (so far, or ever: the stream broke or ended early). */
    AttemptEnd end() {
        return end;
    }

    private void journal(Frame frame) {
        switch (frame.kind()) {
            case COMMAND, CUSTOM_ENTRY -> {
                if (frame.type() == MessageType.INPUT_COMMAND.id()) {
                    throw new ProtocolException("the service sent an InputCommandMessage, which only the runtime"
                            + " writes");
                }
                append(new JournalEntry(frame.type(), Payload.of(frame.body().toByteArray())));
                if (frame.type() == MessageType.OUTPUT_COMMAND.id() && end == null) {
                    outputWritten = true;
                }
            }
            case NOTIFICATION -> throw new ProtocolException("the service sent a notification (" + frame
                    + "); only the runtime writes notifications");
            case CONTROL -> control(frame);
        }
    }

    private void control(Frame frame) {
        MessageType type = frame.messageType().orElse(null);
        if (type == null) {
            return; // a control message of a newer protocol: see the class comment
        }
        switch (type) {
            case PROPOSE_RUN_COMPLETION -> {
                ProposeRunCompletionMessage proposal = frame.message(ProposeRunCompletionMessage.class);
                Frame notification = Frame.of(Notifications.runCompletionOf(proposal));
                append(new JournalEntry(notification.type(), Payload.of(notification.body().toByteArray())));
            }
            case END -> end = outputWritten ? AttemptEnd.ended() : violation("the service ended the invocation"
                    + " without an OutputCommandMessage in its journal: it wrote no result");
            case SUSPENSION -> suspended(frame.message(SuspensionMessage.class));
            case ERROR -> end = failed(frame.message(ErrorMessage.class));
            case AWAITING_ON, COMMAND_ACK, PROPOSE_RUN_COMPLETION_ACK -> {
                // nothing for the journal: see the class comment
            }
            case START -> throw new ProtocolException("the service sent a StartMessage, which only the runtime"
                    + " sends");
            default -> throw new ProtocolException("the service sent a " + type.specName() + " as a control"
                    + " message");
        }
    }

    private void suspended(SuspensionMessage suspension) {
        Set<NotificationId> awaited = Notifications.awaitedBy(suspension);
        if (awaited.isEmpty()) {
            // Nothing could ever resume it (Restate refuses this too: EmptySuspensionMessage).
            end = violation("the service suspended without naming a completion or signal it waits for");
            return;
        }
        List<Integer> completions = new ArrayList<>();
        List<Integer> signals = new ArrayList<>();
        List<String> named = new ArrayList<>();
        long awaitedJsonBytes = 0;
        for (NotificationId id : awaited) {
            switch (id) {
                case NotificationId.Completion completion -> completions.add(completion.id());
                case NotificationId.Signal signal -> signals.add(signal.index());
                case NotificationId.NamedSignal signal -> {
                    named.add(signal.name());
                    awaitedJsonBytes += 6L * signal.name().length();
                }
            }
            awaitedJsonBytes += 12; // an unsigned 32-bit number, or a string's quotes, and a comma
        }
        if (!fits(awaitedJsonBytes)) {
            end = tooLarge();
            return;
        }
        end = AttemptEnd.suspended(completions, signals, named);
    }

    /**
     * The attempt failed as the service said: retried after {@code next_retry_delay} when it gives one; paused when a
     * v7 service asks for it. A v7 service that asks to fail the invocation ({@code FAIL}) is paused as well:
     * {@link AttemptEnd} cannot say "fail", and stopping the retries, for an operator to decide, is the nearest.
     */
    private AttemptEnd failed(ErrorMessage error) {
        boolean pause = version.isAtLeast(ProtocolVersion.V7)
                && (error.getBehavior() == ErrorBehavior.PAUSE || error.getBehavior() == ErrorBehavior.FAIL);
        Long retryAfter = error.hasNextRetryDelay() ? error.getNextRetryDelay() : null;
        return AttemptEnd.failed(new Failure(failureCode(error.getCode()), describe(error)), retryAfter, pause);
    }

    /**
     * A {@code Failure} code is 100 to 999, like an HTTP status. Services use HTTP statuses and the protocol's own
     * 5xx codes; anything else (0, an unsigned 32-bit number beyond it) is an internal error of the service, and its
     * message says the code it gave.
     */
    static int failureCode(int code) {
        return code >= 100 && code <= 999 ? code : 500;
    }

    /** The service's message, what command it was at when it says so, and its stack trace. */
    static String describe(ErrorMessage error) {
        StringBuilder text = new StringBuilder();
        int code = error.getCode();
        if (failureCode(code) != code) {
            text.append("[the service's error code ").append(Integer.toUnsignedString(code)).append("] ");
        }
        text.append(error.getMessage().isBlank() ? "the service failed the attempt" : error.getMessage().strip());
        if (error.hasRelatedCommandIndex() || error.hasRelatedCommandName() || error.hasRelatedCommandType()) {
            List<String> related = new ArrayList<>();
            if (error.hasRelatedCommandIndex()) {
                related.add("#" + Integer.toUnsignedString(error.getRelatedCommandIndex()));
            }
            if (error.hasRelatedCommandName() && !error.getRelatedCommandName().isEmpty()) {
                related.add("'" + error.getRelatedCommandName() + "'");
            }
            if (error.hasRelatedCommandType()) {
                related.add(typeName(error.getRelatedCommandType()));
            }
            text.append(" (at command ").append(String.join(" ", related)).append(')');
        }
        if (!error.getStacktrace().isBlank()) {
            text.append('\n').append(error.getStacktrace().strip());
        }
        return ServiceCall.truncate(text.toString());
    }

    private static String typeName(int typeId) {
        String hex = String.format(Locale.ROOT, "0x%04X", typeId);
        return typeId < 0 || typeId > 0xFFFF ? hex
                : MessageType.ofId(typeId).map(type -> type.specName() + " " + hex).orElse(hex);
    }

    private void append(JournalEntry entry) {
        long entryJsonBytes = 4L * ((entry.message().size() + 2) / 3) + ENTRY_JSON_OVERHEAD;
        if (!fits(entryJsonBytes)) {
            end = tooLarge();
            return;
        }
        jsonBytes += entryJsonBytes;
        entries.add(entry);
    }

    private boolean fits(long moreJsonBytes) {
        return jsonBytes + moreJsonBytes <= recordBytes;
    }

    private AttemptEnd tooLarge() {
        return AttemptEnd.failed(new Failure(413, "what the service wrote in this attempt does not fit one record of "
                + recordBytes + " bytes (FERRY_MAX_BODY_SIZE sets the limit): the first " + entries.size()
                + " of its journal entries are kept, and the next attempt goes on from them"), null, false);
    }

    private static AttemptEnd violation(String message) {
        return AttemptEnd.failed(new Failure(ErrorCodes.PROTOCOL_VIOLATION, message), null, false);
    }
}
