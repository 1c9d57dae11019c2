package dev.ferry.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.journal.JournalCompletion;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a submission from any producer is completed and checked before the state machine applies it. */
class SubmissionsTest {
    private static final int PARTITIONS = 12;
    private static final Registry REGISTRY = Registry.EMPTY.with(new Deployment("dp_1x", "http://x", 0, 1, List.of(
            service("Greeter", ServiceType.SERVICE, handler("greet", null)),
            service("Counter", ServiceType.VIRTUAL_OBJECT, handler("add", null)),
            service("Signup", ServiceType.WORKFLOW, handler("run", HandlerType.WORKFLOW)))), 0);

    @Test
    void typesAreFilledInFromTheRegistry() {
        Invoke invoke = submission(new Target("Counter", null, "add", null, "k1"), null);
        Submissions.Decision decision = check(invoke, Routing.partition("k1", PARTITIONS), "k1");

        assertThat(decision).isInstanceOfSatisfying(Submissions.Accept.class, accept -> assertThat(
                accept.invoke().target())
                .isEqualTo(new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "k1")));
    }

    @Test
    void aCallFromAnSdkHandlerKeepsTheCallerThatGetsItsResult() {
        JournalCompletion caller = new JournalCompletion(InvocationId.random(1), 3);
        Invoke call = submission(new Target("Counter", null, "add", null, "k1"), null);
        Invoke invoke = new Invoke(call.invocationId(), call.target(), null, null, List.of(), Payload.ofUtf8("1"),
                null, null, false, null, false, 0, null, caller);
        Submissions.Decision decision = check(invoke, Routing.partition("k1", PARTITIONS), "k1");

        assertThat(decision).isInstanceOfSatisfying(Submissions.Accept.class,
                accept -> assertThat(accept.invoke().caller()).isEqualTo(caller));
    }

    @Test
    void anIdempotentSubmissionGetsTheIdTheIngressWouldGiveIt() {
        Invoke invoke = submission(new Target("Greeter", null, "greet", null, null), "key-1");
        Submissions.Decision decision = check(invoke, Routing.partition("key-1", PARTITIONS), "key-1");
        InvocationId expected = InvocationIds.forSubmission(Target.service("Greeter", "greet"), "key-1");
        assertThat(decision).isInstanceOfSatisfying(Submissions.Accept.class,
                accept -> assertThat(accept.invoke().invocationId()).isEqualTo(expected));
    }

    @Test
    void aSubmissionOnTheWrongPartitionIsSentToItsOwn() {
        int right = Routing.partition("k1", PARTITIONS);
        Invoke invoke = submission(new Target("Counter", null, "add", null, "k1"), null);
        Submissions.Decision decision = check(invoke, (right + 1) % PARTITIONS, "not-the-routing-key");
        assertThat(decision).isInstanceOfSatisfying(Submissions.Reroute.class,
                reroute -> assertThat(reroute.partition()).isEqualTo(right));
    }

    @Test
    void aPlainSubmissionWithoutKeyOrIdGetsAnIdOfItsOwnPartition() {
        Invoke invoke = submission(new Target("Greeter", null, "greet", null, null), null);
        Submissions.Decision decision = check(invoke, 7, null);
        assertThat(decision).isInstanceOf(Submissions.Accept.class);
    }

    @Test
    void whatCannotRunIsRejectedWithTheReason() {
        assertThat(reason(submission(new Target("Nope", null, "x", null, null), null)))
                .isEqualTo("service 'Nope' is not registered");
        assertThat(reason(submission(new Target("Greeter", null, "nope", null, null), null)))
                .isEqualTo("the service 'Greeter' has no handler 'nope'");
        assertThat(reason(submission(new Target("Counter", null, "add", null, null), null)))
                .isEqualTo("'Counter' is a VIRTUAL_OBJECT: the target needs a key (the object key)");
        assertThat(reason(submission(new Target("Greeter", null, "greet", null, "k"), null)))
                .isEqualTo("'Greeter' is a plain service: the target has no key");
        assertThat(reason(submission(new Target("Signup", null, "run", null, "wf"), "key")))
                .startsWith("cannot use the idempotency key with workflow handlers");
        Invoke wrongId = new Invoke(InvocationIds.forSubmission(Target.service("Greeter", "greet"), "other"),
                new Target("Greeter", null, "greet", null, null), "key-2", null, List.of(),
                Payload.EMPTY, null, null, true, null, false, 0, null);
        assertThat(reason(wrongId)).contains("is not the id of this submission");
        Invoke badDelay = new Invoke(null, new Target("Greeter", null, "greet", null, null), null, null, List.of(),
                Payload.EMPTY, "soon", null, true, null, false, 0, null);
        assertThat(reason(badDelay)).startsWith("bad delay 'soon'");
    }

    @Test
    void aDelayOrExecutionTimeOutOfRangeIsRejectedNamingTheValue() {
        Target greet = new Target("Greeter", null, "greet", null, null);
        Invoke hugeDelay = new Invoke(null, greet, null, null, List.of(), Payload.EMPTY, "106751991167d", null, true,
                null, false, 0, null);
        assertThat(reason(hugeDelay)).startsWith("bad delay '106751991167d'").contains("longer than 36500d");
        Invoke farExecuteAt = new Invoke(null, greet, null, null, List.of(), Payload.EMPTY, null, Long.MAX_VALUE,
                true, null, false, 0, null);
        assertThat(reason(farExecuteAt)).startsWith("bad executeAt " + Long.MAX_VALUE);
        Invoke negativeExecuteAt = new Invoke(null, greet, null, null, List.of(), Payload.EMPTY, null, -5L, true,
                null, false, 0, null);
        assertThat(reason(negativeExecuteAt)).startsWith("bad executeAt -5");
    }

    @Test
    void aDelayOfAYearIsAccepted() {
        Invoke yearly = new Invoke(null, new Target("Greeter", null, "greet", null, null), null, null, List.of(),
                Payload.EMPTY, "365d", null, true, null, false, 0, null);
        assertThat(check(yearly, 0, null)).isInstanceOfSatisfying(Submissions.Accept.class, accept ->
                assertThat(accept.invoke().executeAt()).isEqualTo(1_000 + 365L * 24 * 3600 * 1000));
    }

    private static String reason(Invoke invoke) {
        Submissions.Decision decision = check(invoke, 0, null);
        assertThat(decision).isInstanceOf(Submissions.Reject.class);
        return ((Submissions.Reject) decision).reason();
    }

    private static Submissions.Decision check(Invoke invoke, int partition, String key) {
        return Submissions.check(invoke, new Submissions.Origin("ferry.log", partition, 42, 1_000, key), REGISTRY,
                PARTITIONS, topic -> null);
    }

    private static Invoke submission(Target target, String idempotencyKey) {
        return new Invoke(null, target, idempotencyKey, "application/json", List.of(), Payload.ofUtf8("1"), null,
                null, true, null, false, 0, null);
    }

    private static ServiceManifest service(String name, ServiceType type, HandlerManifest handler) {
        return new ServiceManifest(name, null, type, List.of(handler), null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    private static HandlerManifest handler(String name, HandlerType type) {
        return new HandlerManifest(name, null, type, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }
}
