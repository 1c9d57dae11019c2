package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ferry.protocol.MessageType;
import dev.ferry.protocol.messages.AttachInvocationCommandMessage;
import dev.ferry.protocol.messages.CallCommandMessage;
import dev.ferry.protocol.messages.CompletePromiseCommandMessage;
import dev.ferry.protocol.messages.GetInvocationOutputCommandMessage;
import dev.ferry.protocol.messages.GetPromiseCommandMessage;
import dev.ferry.protocol.messages.InputCommandMessage;
import dev.ferry.protocol.messages.NotificationTemplate;
import dev.ferry.protocol.messages.OutputCommandMessage;
import dev.ferry.protocol.messages.RunCommandMessage;
import dev.ferry.protocol.messages.RunCompletionNotificationMessage;
import dev.ferry.protocol.messages.SetStateCommandMessage;
import dev.ferry.protocol.messages.SleepCommandMessage;
import dev.ferry.protocol.messages.Value;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.AttachFromHandler;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.JournalAppend;
import dev.ferry.schemas.commands.Notify;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.dispatch.Dispatch;
import dev.ferry.schemas.journal.AttemptEnd;
import dev.ferry.schemas.journal.JournalEntry;
import dev.ferry.schemas.replies.InvocationStatus;
import dev.ferry.schemas.replies.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The journals of services written with Restate's SDKs, in the state machine, without Kafka or a service. */
class JournalsTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final ReplyTo CALLER = new ReplyTo("ingress-1", "request-1");

    private final InMemoryState state = new InMemoryState();
    private final RecordingEffects effects = new RecordingEffects();
    private final StateMachine machine = new StateMachine(state, effects, new TestPolicies() {
        @Override
        public Integer protocolVersion(Target target) {
            return 7;
        }

        @Override
        public Optional<Target> resolve(String service, String handler, String key) {
            return service.equals("Greeter") ? Optional.of(greet()) : Optional.empty();
        }
    }, LEASE, "ferry.results");
    private long now = 1_000_000;

    private static Target greet() {
        return new Target("Greeter", ServiceType.SERVICE, "greet", null, null);
    }

    private static Target counterAdd(String key) {
        return new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, key);
    }

    private static Target signupRun(String key) {
        return new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, key);
    }

    private static Target signupApprove(String key) {
        return new Target("Signup", ServiceType.WORKFLOW, "approve", HandlerType.SHARED, key);
    }

    private Invoke invoke(Target target, String body) {
        InvocationId id = target.workflowRun() ? InvocationIds.forSubmission(target, null)
                : InvocationId.random(target.key() == null ? 7 : dev.ferry.schemas.Routing.partitionKey(target.key()));
        return new Invoke(id, target, null, "application/json", List.of(), Payload.ofUtf8(body), null, null, false,
                CALLER, false, now, null);
    }

    private Dispatch lastDispatch() {
        assertThat(effects.dispatches).isNotEmpty();
        Dispatch dispatch = effects.dispatches.get(effects.dispatches.size() - 1);
        effects.dispatches.clear();
        return dispatch;
    }

    private static JournalEntry entry(MessageType type, Message message) {
        return new JournalEntry(type.id(), Payload.of(message.toByteArray()));
    }

    private static Value value(String json) {
        return Value.newBuilder().setContent(ByteString.copyFromUtf8(json)).build();
    }

    private static JournalEntry output(String json) {
        return entry(MessageType.OUTPUT_COMMAND, OutputCommandMessage.newBuilder().setValue(value(json)).build());
    }

    private static List<Integer> types(Dispatch dispatch) {
        return dispatch.journal().entries().stream().map(JournalEntry::type).toList();
    }

    @Test
    void theFirstAttemptReplaysTheInputAndTheOutputEndsTheInvocation() throws Exception {
        Invoke invoke = invoke(greet(), "{\"name\":\"Mary\"}");
        machine.apply(invoke, now);
        Dispatch dispatch = lastDispatch();
        assertThat(dispatch.journal().protocolVersion()).isEqualTo(7);
        assertThat(types(dispatch)).containsExactly(MessageType.INPUT_COMMAND.id());
        InputCommandMessage input = InputCommandMessage.parseFrom(dispatch.journal().entries().get(0).message().bytes());
        assertThat(input.getValue().getContent().toStringUtf8()).isEqualTo("{\"name\":\"Mary\"}");
        assertThat(input.getHeadersList()).anyMatch(h -> h.getKey().equals("content-type"));

        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(output("\"Hello Mary\"")),
                AttemptEnd.ended()), now + 5);
        InvocationState done = state.invocation(invoke.invocationId());
        assertThat(done.status()).isEqualTo(InvocationStatus.COMPLETED);
        assertThat(done.outcome().success().body().bytes())
                .isEqualTo("\"Hello Mary\"".getBytes(StandardCharsets.UTF_8));
        assertThat(done.outcome().success().contentType()).isEqualTo("application/json");
        assertThat(effects.replies).extracting(Reply::kind).contains(Reply.Kind.INVOCATION_RESULT);
        assertThat(state.journal(invoke.invocationId())).as("journal dropped at completion").isNull();
    }

    @Test
    void stateSetByOneInvocationIsSentToTheNextOnTheSameKeyAndOnlyThere() {
        Invoke first = invoke(counterAdd("a"), "1");
        machine.apply(first, now);
        assertThat(lastDispatch().journal().state()).isEmpty();
        machine.apply(new JournalAppend(first.invocationId(), 1, List.of(
                entry(MessageType.SET_STATE_COMMAND, SetStateCommandMessage.newBuilder()
                        .setKey(ByteString.copyFromUtf8("count")).setValue(value("1")).build()),
                output("1")), AttemptEnd.ended()), now + 1);

        Invoke second = invoke(counterAdd("a"), "1");
        machine.apply(second, now + 2);
        Dispatch dispatch = lastDispatch();
        assertThat(dispatch.journal().state()).singleElement().satisfies(entry -> {
            assertThat(new String(entry.key().bytes(), StandardCharsets.UTF_8)).isEqualTo("count");
            assertThat(new String(entry.value().bytes(), StandardCharsets.UTF_8)).isEqualTo("1");
        });
        Invoke other = invoke(counterAdd("b"), "1");
        machine.apply(other, now + 3);
        assertThat(lastDispatch().journal().state()).isEmpty();
    }

    @Test
    void anAttemptWithAMalformedEntryAppliesNothingAndFailsAsAProtocolViolation() {
        Invoke counter = invoke(counterAdd("a"), "1");
        machine.apply(counter, now);
        lastDispatch();
        machine.apply(new JournalAppend(counter.invocationId(), 1, List.of(
                entry(MessageType.SET_STATE_COMMAND, SetStateCommandMessage.newBuilder()
                        .setKey(ByteString.copyFromUtf8("count")).setValue(value("1")).build()),
                new JournalEntry(MessageType.OUTPUT_COMMAND.id(), Payload.of(new byte[] {(byte) 0xff, 0x01}))),
                AttemptEnd.ended()), now + 1);

        assertThat(state.objectState("Counter/a").entries()).as("the valid entry before it is not applied").isEmpty();
        assertThat(state.journal(counter.invocationId()).entries()).hasSize(1);
        InvocationState invocation = state.invocation(counter.invocationId());
        assertThat(invocation.status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(invocation.lastFailure().code()).isEqualTo(571);
        assertThat(invocation.lastFailure().message()).contains("entry 1").contains("OutputCommandMessage");
    }

    @Test
    void aStaleAttemptsEntriesAreIgnored() {
        Invoke counter = invoke(counterAdd("a"), "1");
        machine.apply(counter, now);
        lastDispatch();
        machine.apply(new JournalAppend(counter.invocationId(), 2, List.of(
                entry(MessageType.SET_STATE_COMMAND, SetStateCommandMessage.newBuilder()
                        .setKey(ByteString.copyFromUtf8("count")).setValue(value("9")).build())),
                AttemptEnd.ended()), now + 1);
        assertThat(state.objectState("Counter/a").entries()).isEmpty();
        assertThat(state.invocation(counter.invocationId()).status()).isEqualTo(InvocationStatus.RUNNING);
    }

    @Test
    void aRunResultIsJournaledAndTheHandlerGoesOnAtOnceWithoutRunningItAgain() {
        Invoke invoke = invoke(greet(), "{}");
        machine.apply(invoke, now);
        lastDispatch();
        JournalEntry run = entry(MessageType.RUN_COMMAND, RunCommandMessage.newBuilder().setResultCompletionId(1)
                .build());
        JournalEntry result = entry(MessageType.RUN_COMPLETION, RunCompletionNotificationMessage.newBuilder()
                .setCompletionId(1).setValue(value("42")).build());
        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(run, result),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 1);
        Dispatch next = lastDispatch();
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(types(next)).containsExactly(MessageType.INPUT_COMMAND.id(), MessageType.RUN_COMMAND.id(),
                MessageType.RUN_COMPLETION.id());
        assertThat(state.invocation(invoke.invocationId()).status()).isEqualTo(InvocationStatus.RUNNING);
    }

    @Test
    void aSleepSuspendsUntilItsTimerFires() {
        Invoke invoke = invoke(greet(), "{}");
        machine.apply(invoke, now);
        lastDispatch();
        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(entry(MessageType.SLEEP_COMMAND,
                SleepCommandMessage.newBuilder().setWakeUpTime(now + 5_000).setResultCompletionId(1).build())),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 1);
        assertThat(state.invocation(invoke.invocationId()).status()).isEqualTo(InvocationStatus.SUSPENDED);
        assertThat(effects.dispatches).isEmpty();

        assertThat(machine.fireDueTimers(now + 4_999)).isZero();
        assertThat(machine.fireDueTimers(now + 5_000)).isEqualTo(1);
        Dispatch resumed = lastDispatch();
        assertThat(types(resumed)).endsWith(MessageType.SLEEP_COMPLETION.id());
        assertThat(state.invocation(invoke.invocationId()).status()).isEqualTo(InvocationStatus.RUNNING);
    }

    @Test
    void aWorkflowWaitsForItsPromiseUntilASharedHandlerCompletesIt() throws Exception {
        Invoke run = invoke(signupRun("mary"), "{}");
        machine.apply(run, now);
        lastDispatch();
        machine.apply(new JournalAppend(run.invocationId(), 1, List.of(entry(MessageType.GET_PROMISE_COMMAND,
                GetPromiseCommandMessage.newBuilder().setKey("approval").setResultCompletionId(1).build())),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 1);
        assertThat(state.invocation(run.invocationId()).status()).isEqualTo(InvocationStatus.SUSPENDED);

        Invoke approve = invoke(signupApprove("mary"), "true");
        machine.apply(approve, now + 2);
        lastDispatch();
        machine.apply(new JournalAppend(approve.invocationId(), 1, List.of(
                entry(MessageType.COMPLETE_PROMISE_COMMAND, CompletePromiseCommandMessage.newBuilder()
                        .setKey("approval").setCompletionValue(value("true")).setResultCompletionId(1).build()),
                output("")), AttemptEnd.ended()), now + 3);

        Dispatch resumed = lastDispatch();
        assertThat(resumed.invocationId()).isEqualTo(run.invocationId());
        JournalEntry last = resumed.journal().entries().get(resumed.journal().entries().size() - 1);
        assertThat(last.type()).isEqualTo(MessageType.GET_PROMISE_COMPLETION.id());
        assertThat(NotificationTemplate.parseFrom(last.message().bytes()).getValue().getContent().toStringUtf8())
                .isEqualTo("true");

        // Completing it again fails, in the second completer's journal.
        Invoke again = invoke(signupApprove("mary"), "false");
        machine.apply(again, now + 4);
        lastDispatch();
        machine.apply(new JournalAppend(again.invocationId(), 1, List.of(
                entry(MessageType.COMPLETE_PROMISE_COMMAND, CompletePromiseCommandMessage.newBuilder()
                        .setKey("approval").setCompletionValue(value("false")).setResultCompletionId(1).build())),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 5);
        Dispatch failed = lastDispatch();
        JournalEntry answer = failed.journal().entries().get(failed.journal().entries().size() - 1);
        assertThat(NotificationTemplate.parseFrom(answer.message().bytes()).getFailure().getMessage())
                .isEqualTo(Journals.PROMISE_ALREADY_COMPLETED);
    }

    @Test
    void aCallSubmitsTheCalleeAndItsResultResumesTheCaller() throws Exception {
        Invoke caller = invoke(greet(), "{}");
        machine.apply(caller, now);
        lastDispatch();
        machine.apply(new JournalAppend(caller.invocationId(), 1, List.of(entry(MessageType.CALL_COMMAND,
                CallCommandMessage.newBuilder().setServiceName("Greeter").setHandlerName("greet")
                        .setParameter(ByteString.copyFromUtf8("{\"name\":\"Bob\"}"))
                        .setInvocationIdNotificationIdx(1).setResultCompletionId(2).build())),
                AttemptEnd.suspended(List.of(2), List.of(1), List.of())), now + 1);
        assertThat(state.invocation(caller.invocationId()).status()).isEqualTo(InvocationStatus.SUSPENDED);
        Invoke callee = (Invoke) effects.submitted.get(0);
        assertThat(callee.caller().invocationId()).isEqualTo(caller.invocationId());
        assertThat(callee.caller().completionId()).isEqualTo(2);
        assertThat(callee.body().bytes()).isEqualTo("{\"name\":\"Bob\"}".getBytes(StandardCharsets.UTF_8));

        // The callee runs (here, in this partition too) and ends; its result goes back as a Notify.
        machine.apply(callee, now + 2);
        lastDispatch();
        machine.apply(new JournalAppend(callee.invocationId(), 1, List.of(output("\"Hello Bob\"")),
                AttemptEnd.ended()), now + 3);
        Notify result = (Notify) effects.submitted.get(1);
        assertThat(result.invocationId()).isEqualTo(caller.invocationId());
        machine.apply(result, now + 4);
        Dispatch resumed = lastDispatch();
        assertThat(resumed.invocationId()).isEqualTo(caller.invocationId());
        assertThat(types(resumed)).containsExactly(MessageType.INPUT_COMMAND.id(), MessageType.CALL_COMMAND.id(),
                MessageType.CALL_INVOCATION_ID_COMPLETION.id(), MessageType.CALL_COMPLETION.id());

        // The same result delivered again is not journaled twice.
        machine.apply(result, now + 5);
        assertThat(effects.dispatches).isEmpty();
        assertThat(state.journal(caller.invocationId()).entries()).hasSize(4);
    }

    @Test
    void aHandlerAttachedToAnotherInvocationGetsItsResultWhenItEnds() throws Exception {
        Invoke target = invoke(greet(), "{}");
        machine.apply(target, now);
        lastDispatch();
        Invoke attacher = invoke(greet(), "{}");
        machine.apply(attacher, now);
        lastDispatch();
        machine.apply(new JournalAppend(attacher.invocationId(), 1, List.of(entry(
                MessageType.ATTACH_INVOCATION_COMMAND, AttachInvocationCommandMessage.newBuilder()
                        .setInvocationId(target.invocationId().toString()).setResultCompletionId(1).build()),
                entry(MessageType.GET_INVOCATION_OUTPUT_COMMAND, GetInvocationOutputCommandMessage.newBuilder()
                        .setInvocationId(target.invocationId().toString()).setResultCompletionId(2).build())),
                AttemptEnd.suspended(List.of(1, 2), List.of(1), List.of())), now + 1);
        AttachFromHandler attach = (AttachFromHandler) effects.submitted.get(0);
        AttachFromHandler output = (AttachFromHandler) effects.submitted.get(1);
        assertThat(attach.output()).isFalse();
        assertThat(output.output()).isTrue();

        // The get-output finds it running: no result yet, which the handler sees as such.
        machine.apply(output, now + 2);
        Notify notReady = (Notify) effects.submitted.get(2);
        assertThat(notReady.noResult()).isTrue();
        machine.apply(notReady, now + 3);
        Dispatch resumed = lastDispatch();
        JournalEntry voidOutput = resumed.journal().entries().get(resumed.journal().entries().size() - 1);
        assertThat(voidOutput.type()).isEqualTo(MessageType.GET_INVOCATION_OUTPUT_COMPLETION.id());
        assertThat(NotificationTemplate.parseFrom(voidOutput.message().bytes()).hasVoid()).isTrue();
        machine.apply(new JournalAppend(attacher.invocationId(), 2, List.of(),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 4);

        // The attach waits for the end of the target, and gets its output.
        machine.apply(attach, now + 5);
        machine.apply(new JournalAppend(target.invocationId(), 1, List.of(output("\"done\"")), AttemptEnd.ended()),
                now + 6);
        Notify result = (Notify) effects.submitted.get(effects.submitted.size() - 1);
        assertThat(result.invocationId()).isEqualTo(attacher.invocationId());
        machine.apply(result, now + 7);
        Dispatch attached = lastDispatch();
        JournalEntry last = attached.journal().entries().get(attached.journal().entries().size() - 1);
        assertThat(last.type()).isEqualTo(MessageType.ATTACH_INVOCATION_COMPLETION.id());
        assertThat(NotificationTemplate.parseFrom(last.message().bytes()).getValue().getContent().toStringUtf8())
                .isEqualTo("\"done\"");

        // An attach to something that is not an invocation id fails at once, in the attacher's journal.
        Invoke confused = invoke(greet(), "{}");
        machine.apply(confused, now + 8);
        lastDispatch();
        machine.apply(new JournalAppend(confused.invocationId(), 1, List.of(entry(
                MessageType.ATTACH_INVOCATION_COMMAND, AttachInvocationCommandMessage.newBuilder()
                        .setInvocationId("not-an-id").setResultCompletionId(1).build())),
                AttemptEnd.suspended(List.of(1), List.of(1), List.of())), now + 8);
        Dispatch failedAttach = lastDispatch();
        JournalEntry answer = failedAttach.journal().entries().get(failedAttach.journal().entries().size() - 1);
        assertThat(NotificationTemplate.parseFrom(answer.message().bytes()).getFailure().getCode()).isEqualTo(400);
        assertThat(effects.rejections).isEmpty();

        // An attach to an invocation that does not exist fails.
        machine.apply(new AttachFromHandler(InvocationId.random(1), attach.caller(), false), now + 8);
        Notify missing = (Notify) effects.submitted.get(effects.submitted.size() - 1);
        assertThat(missing.failure().code()).isEqualTo(404);
    }

    @Test
    void anAwakeableResolvedFromOutsideResumesItsHandler() {
        Invoke invoke = invoke(greet(), "{}");
        machine.apply(invoke, now);
        lastDispatch();
        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(),
                AttemptEnd.suspended(List.of(), List.of(17, 1), List.of())), now + 1);
        machine.apply(new Notify(invoke.invocationId(), null, 18, null, Payload.ofUtf8("\"no\""), null), now + 2);
        assertThat(effects.dispatches).as("signal 18 is not awaited").isEmpty();
        machine.apply(new Notify(invoke.invocationId(), null, 17, null, Payload.ofUtf8("\"yes\""), null), now + 3);
        assertThat(types(lastDispatch())).endsWith(MessageType.SIGNAL.id(), MessageType.SIGNAL.id());
    }

    @Test
    void cancellingASuspendedHandlerWakesItWithTheCancelSignal() {
        Invoke invoke = invoke(greet(), "{}");
        machine.apply(invoke, now);
        lastDispatch();
        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(),
                AttemptEnd.suspended(List.of(5), List.of(1), List.of())), now + 1);
        machine.apply(new Cancel(invoke.invocationId(), new ReplyTo("ingress-admin", "cancel-1")), now + 2);
        Dispatch resumed = lastDispatch();
        assertThat(types(resumed)).endsWith(MessageType.SIGNAL.id());
        assertThat(effects.replies).extracting(Reply::kind).contains(Reply.Kind.DONE);
    }

    @Test
    void aJournalMismatchPausesAndOtherErrorsRetryAfterTheServicesDelay() {
        Invoke mismatched = invoke(greet(), "{}");
        machine.apply(mismatched, now);
        lastDispatch();
        machine.apply(new JournalAppend(mismatched.invocationId(), 1, List.of(), AttemptEnd.failed(
                new Failure(570, "Found a mismatch between the code paths"), null, false)), now + 1);
        InvocationState paused = state.invocation(mismatched.invocationId());
        assertThat(paused.status()).isEqualTo(InvocationStatus.PAUSED);
        assertThat(paused.lastFailure().message()).contains("mismatch");

        Invoke failing = invoke(greet(), "{}");
        machine.apply(failing, now);
        lastDispatch();
        machine.apply(new JournalAppend(failing.invocationId(), 1, List.of(), AttemptEnd.failed(
                new Failure(500, "boom"), 60_000L, false)), now + 1);
        InvocationState backingOff = state.invocation(failing.invocationId());
        assertThat(backingOff.status()).isEqualTo(InvocationStatus.BACKING_OFF);
        assertThat(backingOff.nextRetryAt()).isGreaterThanOrEqualTo(now + 1 + 60_000);
        assertThat(state.journal(failing.invocationId()).failuresSinceGrowth()).isEqualTo(1);
    }

    @Test
    void aTerminalFailureInTheOutputEndsTheInvocationWithIt() {
        Invoke invoke = invoke(greet(), "{}");
        machine.apply(invoke, now);
        lastDispatch();
        machine.apply(new JournalAppend(invoke.invocationId(), 1, List.of(entry(MessageType.OUTPUT_COMMAND,
                OutputCommandMessage.newBuilder().setFailure(dev.ferry.protocol.messages.Failure.newBuilder()
                        .setCode(409).setMessage("nope")).build())), AttemptEnd.ended()), now + 1);
        InvocationState done = state.invocation(invoke.invocationId());
        assertThat(done.outcome().failure()).isEqualTo(new Failure(409, "nope"));
    }
}
