package dev.ferry.protocol;

/**
 * What a notification answers, and what a suspended handler waits for: a completion id the SDK wrote into one of its
 * commands, a signal index, or a signal name. Completion ids and signal indexes are separate number spaces.
 *
 * <p>A notification refers to its command only through this id, never by journal position, so the runtime can index
 * the journal's notifications by it and resume a suspended invocation as soon as one it waits for is journaled.
 *
 * @see Notifications
 * @see <a href="https://github.com/restatedev/service-protocol/blob/main/service-invocation-protocol.md">Restate's
 *     service invocation protocol</a>
 */
public sealed interface NotificationId {
    /** The signal that cancels an invocation. */
    Signal CANCEL = new Signal(1);

    /** The answer to a command's {@code result_completion_id} or {@code invocation_id_notification_idx}. */
    record Completion(int id) implements NotificationId {}

    /** A signal by index: 1 cancels, 17 and up are awakeables. */
    record Signal(int index) implements NotificationId {}

    /** A signal by name. */
    record NamedSignal(String name) implements NotificationId {
        public NamedSignal {
            if (name == null) {
                throw new IllegalArgumentException("a signal name is never null");
            }
        }
    }
}
