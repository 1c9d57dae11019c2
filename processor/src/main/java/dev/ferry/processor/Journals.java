package dev.ferry.processor;

import dev.ferry.protocol.AwakeableId;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.NotificationId;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.messages.AttachInvocationCommandMessage;
import dev.ferry.protocol.messages.CallCommandMessage;
import dev.ferry.protocol.messages.ClearStateCommandMessage;
import dev.ferry.protocol.messages.CompleteAwakeableCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCommandMessage;
import dev.ferry.protocol.messages.GetInvocationOutputCommandMessage;
import dev.ferry.protocol.messages.GetLazyStateCommandMessage;
import dev.ferry.protocol.messages.GetLazyStateKeysCommandMessage;
import dev.ferry.protocol.messages.GetPromiseCommandMessage;
import dev.ferry.protocol.messages.IdempotentRequestTarget;
import dev.ferry.protocol.messages.NotificationTemplate;
import dev.ferry.protocol.messages.OneWayCallCommandMessage;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.PeekPromiseCommandMessage;
import dev.ferry.protocol.messages.SendSignalCommandMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import dev.ferry.protocol.messages.StateKeys;
import dev.ferry.protocol.messages.WorkflowTarget;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttachFromHandler;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.commands.Notify;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalCompletion;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.journal.JournalReplay;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.replies.InvocationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The journals of invocations of services written with Restate's SDKs: what the state machine does with what such a
 * service wrote in an attempt, and with the notifications that come for it later. One attempt's report
 * ({@link JournalAppend}) is applied whole, in one transaction: its entries are appended, each command's effect is
 * applied (state, timers, promises, calls), the notifications Ferry can answer at once are appended after it, and
 * the attempt's end decides what comes next (done, suspended, resumed at once, retried, paused).
 *
 * <p>Every object and workflow key lives on one partition with all its invocations, so state and promises are
 * changed here directly; what concerns another invocation (a call, a send, an awakeable, a call's result) goes to
 * the command log, to that invocation's partition.
 */
final class Journals {
    static final String PROMISE_ALREADY_COMPLETED = "promise was already completed";

    private final ProcessorState state;
    private final Effects effects;
    private final Policies policies;
    private final StateMachine machine;

    Journals(ProcessorState state, Effects effects, Policies policies, StateMachine machine) {
        this.state = state;
        this.effects = effects;
        this.policies = policies;
        this.machine = machine;
    }

    /**
     * What the attempt of an invocation of a service written with a Restate SDK is sent: its journal (started now
     * with the input, at the first attempt) and its key's state.
     */
    JournalReplay replay(InvocationState invocation, int protocolVersion, long now) {
        Journal journal = state.journal(invocation.invocationId());
        if (journal == null) {
            StoredInput input = state.input(invocation);
            List<Header> headers = new ArrayList<>();
            if (input.contentType() != null) {
                headers.add(new Header("content-type", input.contentType()));
            }
            headers.addAll(input.headers());
            journal = Journal.started(protocolVersion, JournalEntries.input(headers, input.body()), now);
            state.putJournal(invocation.invocationId(), journal);
        }
        Target target = invocation.target();
        List<StateEntry> objectState = target.key() == null ? List.of()
                : state.objectState(Inbox.lockOf(target.service(), target.key())).entries();
        return new JournalReplay(journal.protocolVersion(), journal.entries(), objectState,
                journal.failuresSinceGrowth(), Math.max(0, now - journal.grewAt()));
    }

    /** An attempt's report: its entries and their effects, then its end. */
    void onJournalAppend(JournalAppend append, long now) {
        InvocationState invocation = state.invocation(append.invocationId());
        if (invocation == null || !invocation.runs(append.attempt())) {
            return; // an attempt that is no longer current: what it wrote does not count
        }
        Journal journal = state.journal(invocation.invocationId());
        if (journal == null) {
            effects.reject("a JournalAppend for " + invocation.invocationId()
                    + ", whose service does not speak Restate's service protocol");
            return;
        }
        String malformed = JournalEntries.firstMalformed(append.entries());
        if (malformed != null) {
            // Checked before anything is applied, so an attempt is applied whole or not at all: none of its entries
            // count, as if it had failed before writing them.
            state.putJournal(invocation.invocationId(), journal.failedOnce());
            machine.retryOrGiveUp(invocation, new Failure(571, "the service broke the protocol: " + malformed),
                    null, now);
            return;
        }
        List<JournalEntry> added = new ArrayList<>();
        for (JournalEntry entry : append.entries()) {
            added.add(entry);
            applyCommand(invocation, entry, added, now);
        }
        journal = journal.appended(added, now);
        AttemptEnd end = append.end();
        switch (end.kind()) {
            case ENDED -> {
                Optional<Outcome> outcome = outputOf(invocation, journal);
                if (outcome.isEmpty()) {
                    state.putJournal(invocation.invocationId(), journal.failedOnce());
                    machine.retryOrGiveUp(invocation, new Failure(571, "the service ended the invocation without"
                            + " writing its output (a protocol violation)"), null, now);
                    return;
                }
                state.putJournal(invocation.invocationId(), journal);
                machine.complete(invocation, outcome.get(), now);
            }
            case SUSPENDED -> {
                Journal.Awaiting awaiting = new Journal.Awaiting(end.awaitedCompletions(), end.awaitedSignals(),
                        end.awaitedNamedSignals());
                if (anyPresent(awaiting, journal)) {
                    // What it waits for came while it ran (or is its own run's result): it goes on at once. That
                    // attempt is the next step, not a retry.
                    state.putJournal(invocation.invocationId(), journal);
                    invocation.resetRetries();
                    machine.startNextAttempt(invocation, now);
                } else {
                    state.putJournal(invocation.invocationId(), journal.awaiting(awaiting));
                    machine.dropLeaseTimer(invocation);
                    invocation.suspend();
                }
                state.put(invocation);
            }
            case FAILED -> {
                state.putJournal(invocation.invocationId(), journal.failedOnce());
                if (!added.isEmpty()) {
                    // It got further than before: the retry budget counts from here, as Restate counts retries
                    // since the last entry it stored.
                    invocation.countRetriesFromThisAttempt();
                }
                Failure failure = end.failure();
                if (end.pause() || failure.code() == JOURNAL_MISMATCH) {
                    // Retrying replays the same journal against the same code: an operator must act.
                    machine.dropLeaseTimer(invocation);
                    invocation.pause(failure);
                    state.put(invocation);
                } else {
                    machine.retryOrGiveUp(invocation, failure, end.retryAfterMillis(), now);
                }
            }
        }
    }

    /** The SDKs' code for a journal that does not match what the handler does on replay. */
    static final int JOURNAL_MISMATCH = 570;

    /** The invocation's output, from the output command in its journal. */
    private Optional<Outcome> outputOf(InvocationState invocation, Journal journal) {
        for (int i = journal.entries().size() - 1; i >= 0; i--) {
            JournalEntry entry = journal.entries().get(i);
            if (entry.type() != MessageType.OUTPUT_COMMAND.id()) {
                continue;
            }
            OutputCommandMessage output = JournalEntries.message(entry, OutputCommandMessage.class);
            if (output.hasFailure()) {
                Failure failure = JournalEntries.failureOf(output.getFailure());
                return Optional.of(Outcome.failure(failure.code(), failure.message()));
            }
            byte[] value = output.getValue().getContent().toByteArray();
            String contentType = value.length == 0 ? null : machine.pinnedOutputContentType(invocation);
            return Optional.of(Outcome.success(200, contentType, Payload.of(value)));
        }
        return Optional.empty();
    }

    private static boolean anyPresent(Journal.Awaiting awaiting, Journal journal) {
        Set<NotificationId> present = JournalEntries.notificationIds(journal.entries());
        return awaiting.completions().stream().anyMatch(id -> present.contains(new NotificationId.Completion(id)))
                || awaiting.signals().stream().anyMatch(index -> present.contains(new NotificationId.Signal(index)))
                || awaiting.namedSignals().stream()
                        .anyMatch(name -> present.contains(new NotificationId.NamedSignal(name)));
    }

    private static boolean awaits(Journal.Awaiting awaiting, NotificationId id) {
        return switch (id) {
            case NotificationId.Completion completion -> awaiting.completions().contains(completion.id());
            case NotificationId.Signal signal -> awaiting.signals().contains(signal.index());
            case NotificationId.NamedSignal named -> awaiting.namedSignals().contains(named.name());
        };
    }

    /**
     * Applies one command the service wrote: its effect on state, timers, promises or other invocations. The
     * notifications that answer it at once are appended to {@code added}, right after it.
     */
    private void applyCommand(InvocationState invocation, JournalEntry entry, List<JournalEntry> added, long now) {
        Optional<MessageType> type = JournalEntries.typeOf(entry);
        if (type.isEmpty()) {
            return; // a custom entry: journaled, nothing to do
        }
        InvocationId self = invocation.invocationId();
        Target target = invocation.target();
        String lock = target.key() == null ? null : Inbox.lockOf(target.service(), target.key());
        try {
            switch (type.get()) {
                case SET_STATE_COMMAND -> {
                    SetStateCommandMessage set = JournalEntries.message(entry, SetStateCommandMessage.class);
                    if (lock != null) {
                        state.putObjectState(lock, state.objectState(lock).set(set.getKey().toByteArray(),
                                set.getValue().getContent().toByteArray()));
                    }
                }
                case CLEAR_STATE_COMMAND -> {
                    ClearStateCommandMessage clear = JournalEntries.message(entry, ClearStateCommandMessage.class);
                    if (lock != null) {
                        state.putObjectState(lock, state.objectState(lock).cleared(clear.getKey().toByteArray()));
                    }
                }
                case CLEAR_ALL_STATE_COMMAND -> {
                    if (lock != null) {
                        state.putObjectState(lock, ObjectState.EMPTY);
                    }
                }
                case GET_LAZY_STATE_COMMAND -> {
                    GetLazyStateCommandMessage get = JournalEntries.message(entry, GetLazyStateCommandMessage.class);
                    Payload value = lock == null ? null : state.objectState(lock).get(get.getKey().toByteArray());
                    added.add(JournalEntries.completion(MessageType.GET_LAZY_STATE_COMPLETION,
                            get.getResultCompletionId(),
                            value == null ? JournalEntries.voidResult() : JournalEntries.valueResult(value.bytes())));
                }
                case GET_LAZY_STATE_KEYS_COMMAND -> {
                    GetLazyStateKeysCommandMessage get =
                            JournalEntries.message(entry, GetLazyStateKeysCommandMessage.class);
                    StateKeys.Builder keys = StateKeys.newBuilder();
                    if (lock != null) {
                        state.objectState(lock).entries().forEach(stateEntry -> keys.addKeys(
                                com.google.protobuf.ByteString.copyFrom(stateEntry.key().bytes())));
                    }
                    added.add(JournalEntries.completion(MessageType.GET_LAZY_STATE_KEYS_COMPLETION,
                            get.getResultCompletionId(), NotificationTemplate.newBuilder().setStateKeys(keys)));
                }
                case SLEEP_COMMAND -> {
                    SleepCommandMessage sleep = JournalEntries.message(entry, SleepCommandMessage.class);
                    state.addTimer(new Timer(sleep.getWakeUpTime(), Timer.Kind.SLEEP, self,
                            sleep.getResultCompletionId()));
                }
                case GET_PROMISE_COMMAND -> {
                    GetPromiseCommandMessage get = JournalEntries.message(entry, GetPromiseCommandMessage.class);
                    String key = WorkflowPromise.key(lock, get.getKey());
                    WorkflowPromise promise = state.promise(key);
                    if (promise != null && promise.completed()) {
                        added.add(JournalEntries.completion(MessageType.GET_PROMISE_COMPLETION,
                                get.getResultCompletionId(), JournalEntries.result(promise.value(), promise.failure())));
                    } else {
                        state.putPromise(key, (promise == null ? WorkflowPromise.PENDING : promise)
                                .awaitedBy(new JournalCompletion(self, get.getResultCompletionId())));
                    }
                }
                case PEEK_PROMISE_COMMAND -> {
                    PeekPromiseCommandMessage peek = JournalEntries.message(entry, PeekPromiseCommandMessage.class);
                    WorkflowPromise promise = state.promise(WorkflowPromise.key(lock, peek.getKey()));
                    added.add(JournalEntries.completion(MessageType.PEEK_PROMISE_COMPLETION,
                            peek.getResultCompletionId(), promise == null || !promise.completed()
                                    ? JournalEntries.voidResult()
                                    : JournalEntries.result(promise.value(), promise.failure())));
                }
                case COMPLETE_PROMISE_COMMAND -> completePromise(invocation, lock,
                        JournalEntries.message(entry, CompletePromiseCommandMessage.class), added, now);
                case CALL_COMMAND -> call(invocation, JournalEntries.message(entry, CallCommandMessage.class), added,
                        now);
                case ONE_WAY_CALL_COMMAND -> send(invocation,
                        JournalEntries.message(entry, OneWayCallCommandMessage.class), added, now);
                case COMPLETE_AWAKEABLE_COMMAND -> {
                    CompleteAwakeableCommandMessage complete =
                            JournalEntries.message(entry, CompleteAwakeableCommandMessage.class);
                    AwakeableId awakeable = AwakeableId.parse(complete.getAwakeableId());
                    effects.submit(new Notify(InvocationId.fromBytes(awakeable.invocationId()), null,
                            awakeable.signalIndex(), null, Payload.of(complete.getValue().getContent().toByteArray()),
                            complete.hasFailure() ? JournalEntries.failureOf(complete.getFailure()) : null));
                }
                case SEND_SIGNAL_COMMAND -> {
                    SendSignalCommandMessage signal = JournalEntries.message(entry, SendSignalCommandMessage.class);
                    InvocationId to = InvocationId.parse(signal.getTargetInvocationId());
                    Failure failure = signal.hasFailure() ? JournalEntries.failureOf(signal.getFailure()) : null;
                    Payload value = Payload.of(signal.getValue().getContent().toByteArray());
                    effects.submit(signal.hasName()
                            ? new Notify(to, null, null, signal.getName(), value, failure)
                            : new Notify(to, null, signal.getIdx(), null, value, failure));
                }
                case ATTACH_INVOCATION_COMMAND -> {
                    AttachInvocationCommandMessage attach =
                            JournalEntries.message(entry, AttachInvocationCommandMessage.class);
                    attach(self, attach.getResultCompletionId(), switch (attach.getTargetCase()) {
                        case INVOCATION_ID -> parsedOrNull(attach.getInvocationId());
                        case IDEMPOTENT_REQUEST_TARGET -> idOf(attach.getIdempotentRequestTarget());
                        case WORKFLOW_TARGET -> idOf(attach.getWorkflowTarget());
                        case TARGET_NOT_SET -> null;
                    }, false, MessageType.ATTACH_INVOCATION_COMPLETION, added);
                }
                case GET_INVOCATION_OUTPUT_COMMAND -> {
                    GetInvocationOutputCommandMessage output =
                            JournalEntries.message(entry, GetInvocationOutputCommandMessage.class);
                    attach(self, output.getResultCompletionId(), switch (output.getTargetCase()) {
                        case INVOCATION_ID -> parsedOrNull(output.getInvocationId());
                        case IDEMPOTENT_REQUEST_TARGET -> idOf(output.getIdempotentRequestTarget());
                        case WORKFLOW_TARGET -> idOf(output.getWorkflowTarget());
                        case TARGET_NOT_SET -> null;
                    }, true, MessageType.GET_INVOCATION_OUTPUT_COMPLETION, added);
                }
                default -> {
                    // Input, output, run, eager state reads, notifications: journaled, nothing else to do.
                }
            }
        } catch (ProtocolException | IllegalArgumentException e) {
            // A command Ferry cannot read or act on: kept in the journal; the handler learns nothing more from it.
            effects.reject("a " + type.get().specName() + " of " + self + " could not be applied: " + e.getMessage());
        }
    }

    /**
     * An attach to (or a get-output of) another invocation: asked on that invocation's partition, which answers with
     * a {@link Notify}. A command without a target is answered at once with a failure.
     */
    private void attach(InvocationId self, int completionId, InvocationId target, boolean output,
            MessageType notification, List<JournalEntry> added) {
        if (target == null) {
            // Answered at once: left unanswered, the handler would wait for ever.
            added.add(JournalEntries.completion(notification, completionId,
                    JournalEntries.failureResult(400, "the command names no invocation, or not a valid invocation id")));
            return;
        }
        effects.submit(new AttachFromHandler(target, new JournalCompletion(self, completionId), output));
    }

    private static InvocationId parsedOrNull(String invocationId) {
        try {
            return InvocationId.parse(invocationId);
        } catch (InvocationId.InvalidIdException e) {
            return null;
        }
    }

    private static InvocationId idOf(IdempotentRequestTarget target) {
        return InvocationIds.idempotent(target.getServiceName(),
                target.hasServiceKey() ? target.getServiceKey() : null, target.getHandlerName(),
                target.getIdempotencyKey());
    }

    private static InvocationId idOf(WorkflowTarget target) {
        return InvocationIds.workflowRun(target.getWorkflowName(), target.getWorkflowKey());
    }

    /** Another invocation's handler attaches to this one, or asks for its output (see {@link AttachFromHandler}). */
    void onAttachFromHandler(AttachFromHandler attach) {
        JournalCompletion caller = attach.caller();
        InvocationState invocation = state.invocation(attach.invocationId());
        if (invocation == null) {
            effects.submit(new Notify(caller.invocationId(), caller.completionId(), null, null, null,
                    new Failure(404, "invocation '" + attach.invocationId() + "' not found")));
        } else if (invocation.completed()) {
            effects.submit(notifyOf(caller, invocation.outcome()));
        } else if (attach.output()) {
            effects.submit(new Notify(caller.invocationId(), caller.completionId(), null, null, null, null, true));
        } else if (invocation.addCaller(caller)) {
            state.put(invocation);
        }
    }

    /** The notification that gives a caller's journal completion an invocation's result. */
    static Notify notifyOf(JournalCompletion caller, Outcome outcome) {
        return new Notify(caller.invocationId(), caller.completionId(), null, null,
                outcome.succeeded() ? outcome.success().body() : null, outcome.succeeded() ? null : outcome.failure());
    }

    private void completePromise(InvocationState invocation, String lock, CompletePromiseCommandMessage complete,
            List<JournalEntry> added, long now) {
        String key = WorkflowPromise.key(lock, complete.getKey());
        WorkflowPromise promise = state.promise(key);
        if (promise != null && promise.completed()) {
            added.add(JournalEntries.completion(MessageType.COMPLETE_PROMISE_COMPLETION,
                    complete.getResultCompletionId(), JournalEntries.failureResult(409, PROMISE_ALREADY_COMPLETED)));
            return;
        }
        Payload value = Payload.of(complete.getCompletionValue().getContent().toByteArray());
        Failure failure = complete.hasCompletionFailure() ? JournalEntries.failureOf(complete.getCompletionFailure())
                : null;
        state.putPromise(key, WorkflowPromise.completedWith(value, failure));
        added.add(JournalEntries.completion(MessageType.COMPLETE_PROMISE_COMPLETION, complete.getResultCompletionId(),
                JournalEntries.voidResult()));
        if (promise == null) {
            return;
        }
        for (JournalCompletion waiter : promise.waiting()) {
            JournalEntry notification = JournalEntries.completion(MessageType.GET_PROMISE_COMPLETION,
                    waiter.completionId(), JournalEntries.result(value, failure));
            if (waiter.invocationId().equals(invocation.invocationId())) {
                added.add(notification);
            } else {
                deliver(waiter.invocationId(), notification, now);
            }
        }
    }

    private void call(InvocationState caller, CallCommandMessage call, List<JournalEntry> added, long now) {
        String idempotencyKey = call.hasIdempotencyKey() ? call.getIdempotencyKey() : null;
        Optional<Target> target = policies.resolve(call.getServiceName(), call.getHandlerName(), call.getKey());
        if (target.isEmpty()) {
            added.add(JournalEntries.completion(MessageType.CALL_COMPLETION, call.getResultCompletionId(),
                    JournalEntries.failureResult(404, "no handler '" + call.getHandlerName() + "' of a service '"
                            + call.getServiceName() + "' that takes " + (call.getKey().isEmpty() ? "no key"
                            : "the key '" + call.getKey() + "'") + " is registered")));
            return;
        }
        InvocationId callee = InvocationIds.forCall(target.get(), idempotencyKey, caller.invocationId(),
                call.getResultCompletionId());
        added.add(JournalEntries.of(MessageType.CALL_INVOCATION_ID_COMPLETION,
                NotificationTemplate.newBuilder().setCompletionId(call.getInvocationIdNotificationIdx())
                        .setInvocationId(callee.toString()).build()));
        effects.submit(new Invoke(callee, target.get(), idempotencyKey, null, headersOf(call.getHeadersList()),
                Payload.of(call.getParameter().toByteArray()), null, null, false, null, false, now, null,
                new JournalCompletion(caller.invocationId(), call.getResultCompletionId())));
    }

    private void send(InvocationState caller, OneWayCallCommandMessage send, List<JournalEntry> added, long now) {
        String idempotencyKey = send.hasIdempotencyKey() ? send.getIdempotencyKey() : null;
        Optional<Target> target = policies.resolve(send.getServiceName(), send.getHandlerName(), send.getKey());
        if (target.isEmpty()) {
            effects.reject("a one-way call from " + caller.invocationId() + " to " + send.getServiceName() + "/"
                    + send.getHandlerName() + ", which is not registered (or does not take that key)");
            return;
        }
        InvocationId callee = InvocationIds.forCall(target.get(), idempotencyKey, caller.invocationId(),
                send.getInvocationIdNotificationIdx());
        added.add(JournalEntries.of(MessageType.CALL_INVOCATION_ID_COMPLETION,
                NotificationTemplate.newBuilder().setCompletionId(send.getInvocationIdNotificationIdx())
                        .setInvocationId(callee.toString()).build()));
        Long executeAt = send.getInvokeTime() > now ? send.getInvokeTime() : null;
        effects.submit(new Invoke(callee, target.get(), idempotencyKey, null, headersOf(send.getHeadersList()),
                Payload.of(send.getParameter().toByteArray()), null, executeAt, true, null, false, now, null, null));
    }

    private static List<Header> headersOf(List<dev.ferry.protocol.messages.Header> headers) {
        return headers.stream().map(header -> new Header(header.getKey().toLowerCase(java.util.Locale.ROOT),
                header.getValue())).toList();
    }

    /** A notification from outside the invocation's own attempt (see {@link Notify}). */
    void onNotify(Notify notify, long now) {
        InvocationState invocation = state.invocation(notify.invocationId());
        if (invocation == null || invocation.completed()) {
            return;
        }
        if (notify.signalIndex() != null && notify.signalIndex() == NotificationId.CANCEL.index()) {
            machine.cancel(invocation, now);
            return;
        }
        Journal journal = state.journal(invocation.invocationId());
        if (journal == null) {
            return; // not a service written with an SDK, or not started yet: nothing can wait for it
        }
        NotificationTemplate.Builder result = notify.noResult() ? JournalEntries.voidResult()
                : JournalEntries.result(notify.value(), notify.failure());
        JournalEntry notification;
        if (notify.signalIndex() != null) {
            notification = JournalEntries.signal(notify.signalIndex(), result);
        } else if (notify.signalName() != null) {
            notification = JournalEntries.namedSignal(notify.signalName(), result);
        } else {
            Optional<MessageType> answers = completedBy(journal, notify.completionId());
            if (answers.isEmpty()) {
                return; // no command of its journal waits for that completion
            }
            notification = JournalEntries.completion(answers.get(), notify.completionId(), result);
        }
        deliver(invocation, journal, notification, now);
    }

    /** The notification type that answers the command of {@code journal} with that completion id, if one has it. */
    private static Optional<MessageType> completedBy(Journal journal, int completionId) {
        for (JournalEntry entry : journal.entries()) {
            Optional<MessageType> answer = JournalEntries.typeOf(entry).flatMap(type -> switch (type) {
                case CALL_COMMAND -> JournalEntries.message(entry, CallCommandMessage.class)
                        .getResultCompletionId() == completionId ? Optional.of(MessageType.CALL_COMPLETION)
                                : Optional.empty();
                case ATTACH_INVOCATION_COMMAND -> JournalEntries.message(entry, AttachInvocationCommandMessage.class)
                        .getResultCompletionId() == completionId
                                ? Optional.of(MessageType.ATTACH_INVOCATION_COMPLETION) : Optional.empty();
                case GET_INVOCATION_OUTPUT_COMMAND -> JournalEntries.message(entry,
                        GetInvocationOutputCommandMessage.class).getResultCompletionId() == completionId
                                ? Optional.of(MessageType.GET_INVOCATION_OUTPUT_COMPLETION) : Optional.empty();
                default -> Optional.empty();
            });
            if (answer.isPresent()) {
                return answer;
            }
        }
        return Optional.empty();
    }

    /** A sleep's timer fired: its completion is journaled. */
    void onSleepTimer(InvocationState invocation, int completionId, long now) {
        if (invocation.completed()) {
            return;
        }
        deliver(invocation.invocationId(), JournalEntries.completion(MessageType.SLEEP_COMPLETION, completionId,
                JournalEntries.voidResult()), now);
    }

    private void deliver(InvocationId invocationId, JournalEntry notification, long now) {
        InvocationState invocation = state.invocation(invocationId);
        Journal journal = state.journal(invocationId);
        if (invocation == null || invocation.completed() || journal == null) {
            return;
        }
        deliver(invocation, journal, notification, now);
    }

    /**
     * Appends a notification to a journal (once: a repeat of one it has is dropped) and resumes the invocation
     * when it is suspended waiting for it.
     */
    private void deliver(InvocationState invocation, Journal journal, JournalEntry notification, long now) {
        NotificationId id = dev.ferry.protocol.Notifications.idOf(JournalEntries.frameOf(notification));
        if (JournalEntries.notificationIds(journal.entries()).contains(id)) {
            return;
        }
        journal = journal.appended(notification, now);
        boolean resume = invocation.status() == InvocationStatus.SUSPENDED && journal.awaiting() != null
                && awaits(journal.awaiting(), id);
        if (resume) {
            journal = journal.awaiting(null);
        }
        state.putJournal(invocation.invocationId(), journal);
        if (resume) {
            invocation.resetRetries();
            machine.startNextAttempt(invocation, now);
            state.put(invocation);
        }
    }

    /**
     * Cancels an invocation of a service written with an SDK that is running or suspended: the cancel signal goes
     * into its journal, and the handler sees it (and may clean up) at its next await. Returns false for an
     * invocation that has no journal.
     */
    boolean cancel(InvocationState invocation, long now) {
        Journal journal = state.journal(invocation.invocationId());
        if (journal == null) {
            return false;
        }
        deliver(invocation, journal, JournalEntries.signal(NotificationId.CANCEL.index(),
                JournalEntries.voidResult()), now);
        return true;
    }

    /**
     * An invocation ended: whoever called it learns its result. Its journal is dropped, unless the service keeps
     * journals ({@code journal_retention}): then it goes when the invocation is forgotten.
     */
    void onCompleted(InvocationState invocation, Outcome outcome, boolean keepJournal) {
        for (JournalCompletion caller : invocation.callers()) {
            effects.submit(notifyOf(caller, outcome));
        }
        if (!keepJournal) {
            state.deleteJournal(invocation.invocationId());
        }
    }

    /** A workflow's run is forgotten: its state and promises go with it, as in Restate. */
    void onForgotten(InvocationState invocation) {
        Target target = invocation.target();
        if (target.workflowRun()) {
            String lock = Inbox.lockOf(target.service(), target.key());
            state.putObjectState(lock, ObjectState.EMPTY);
            state.deletePromises(lock);
        }
        state.deleteJournal(invocation.invocationId());
    }
}
