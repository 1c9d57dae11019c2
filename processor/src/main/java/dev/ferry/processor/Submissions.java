package dev.ferry.processor;

import dev.ferry.registry.Registry;
import dev.ferry.registry.Targets;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.deployments.ServiceType;
import java.time.Duration;
import java.util.function.Function;

/**
 * Completes and checks a submission before the state machine sees it, so that an {@code Invoke} from a plain Kafka
 * producer works exactly as one from the ingress: the target's types come from the registry, the id is computed
 * when absent (deterministic for idempotent calls and workflow runs, derived from the record's position otherwise,
 * so a replayed record gets the same id), a {@code delay} becomes an execution time counted from the record's
 * timestamp, and a record on the wrong partition is sent to the right one.
 */
final class Submissions {
    /** Where a record was read: what a submission without an id of its own is identified by. */
    record Origin(String topic, int partition, long offset, long timestamp, String key) {}

    sealed interface Decision permits Accept, Reject, Reroute {}

    /** Ready for the state machine. */
    record Accept(Invoke invoke) implements Decision {}

    /** Cannot be run: to the dead-letter topic, with the reason. */
    record Reject(String reason) implements Decision {}

    /** Belongs on another partition of the log: sent there, completed, to be applied when it arrives. */
    record Reroute(Invoke invoke, int partition) implements Decision {}

    private Submissions() {}

    /**
     * @param resultTopicProblem null for a {@code resultTopic} results may be published on, else why not
     */
    static Decision check(Invoke invoke, Origin origin, Registry registry, int partitions,
            Function<String, String> resultTopicProblem) {
        Target requested = invoke.target();
        if (invoke.resultTopic() != null) {
            String problem = resultTopicProblem.apply(invoke.resultTopic());
            if (problem != null) {
                return new Reject(problem);
            }
        }
        Target target;
        switch (Targets.resolve(registry, requested.service(), requested.handler(), requested.key(),
                requested.serviceType())) {
            case Targets.Resolved resolved -> target = resolved.target();
            case Targets.UnknownService unknown -> {
                return new Reject("service '" + requested.service() + "' is not registered");
            }
            case Targets.UnknownHandler unknown -> {
                return new Reject("the service '" + requested.service() + "' has no handler '" + requested.handler()
                        + "'");
            }
            case Targets.WrongServiceType wrong -> {
                return new Reject("the target says " + requested.serviceType() + " but '" + requested.service()
                        + "' is a " + wrong.service().manifest().ty());
            }
            case Targets.KeyMissing missing -> {
                ServiceType type = missing.service().manifest().ty();
                return new Reject("'" + requested.service() + "' is a " + type + ": the target needs a key (the "
                        + (type == ServiceType.WORKFLOW ? "workflow id" : "object key") + ")");
            }
            case Targets.KeyNotExpected unexpected -> {
                return new Reject("'" + requested.service() + "' is a plain service: the target has no key");
            }
        }
        if (invoke.idempotencyKey() != null && target.workflowRun()) {
            return new Reject(Targets.KEY_ON_WORKFLOW);
        }

        InvocationId expected = InvocationIds.isDeterministic(target, invoke.idempotencyKey())
                ? InvocationIds.forSubmission(target, invoke.idempotencyKey())
                : null;
        InvocationId id;
        if (invoke.invocationId() != null) {
            // A malformed one never gets here: reading the record failed (see CommandProcessor.read).
            id = invoke.invocationId();
            if (expected != null && !expected.equals(id)) {
                return new Reject("invocationId " + id + " is not the id of this submission (" + expected
                        + "); leave it out and Ferry computes it");
            }
        } else {
            id = InvocationIds.forRecord(target, invoke.idempotencyKey(), new InvocationIds.RecordPosition(null,
                    origin.topic(), origin.partition(), origin.offset(), origin.key()), partitions);
        }

        Long executeAt = invoke.executeAt();
        if (invoke.delay() != null) {
            try {
                Duration delay = Durations.parse(invoke.delay());
                executeAt = origin.timestamp() + delay.toMillis();
            } catch (IllegalArgumentException e) {
                return new Reject("bad delay '" + invoke.delay() + "': " + e.getMessage());
            }
        }
        // An execution time is kept as epoch milliseconds: one past the largest delay would be a timer for another
        // era (or, near Long.MAX_VALUE, overflow into the past), so it is refused like a delay that long.
        long latest = Math.max(0, origin.timestamp()) + Durations.MAX.toMillis();
        if (executeAt != null && (executeAt < 0 || executeAt > latest)) {
            return new Reject("bad executeAt " + executeAt + ": must be epoch milliseconds from 0 to " + latest
                    + " (at most " + Durations.format(Durations.MAX) + " after the record's timestamp)");
        }
        long createdAt = invoke.createdAt() > 0 ? invoke.createdAt() : origin.timestamp();
        Invoke completed = new Invoke(id, target, invoke.idempotencyKey(), invoke.contentType(),
                invoke.headers(), invoke.body(), null, executeAt, invoke.send(), invoke.replyTo(),
                invoke.requireSameRequest(), createdAt, invoke.resultTopic(), invoke.caller());

        int partition = Routing.partition(id.partitionKey(), partitions);
        return partition == origin.partition() ? new Accept(completed) : new Reroute(completed, partition);
    }
}
