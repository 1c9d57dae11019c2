package dev.ferry.processor;

import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.schemas.Durations;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Routing;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.deployments.HandlerManifest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Completes and checks a submission before the state machine sees it, so that an {@code Invoke} from a plain Kafka
 * producer works exactly as one from the ingress: the target's types come from the registry, the id is computed
 * when absent (deterministic for idempotent calls and workflow runs, derived from the record's position otherwise,
 * so a replayed record gets the same id), a {@code delay} becomes an execution time counted from the record's
 * timestamp, and a record on the wrong partition is sent to the right one.
 */
final class Submissions {
    static final String KEY_ON_WORKFLOW = "cannot use the idempotency key with workflow handlers. "
            + "The handler invocation will already be idempotent by the workflow key itself.";

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
        Optional<RegisteredService> service = registry.service(requested.service());
        if (service.isEmpty()) {
            return new Reject("service '" + requested.service() + "' is not registered");
        }
        HandlerManifest handler = service.get().handler(requested.handler());
        if (handler == null) {
            return new Reject("the service '" + requested.service() + "' has no handler '" + requested.handler() + "'");
        }
        ServiceType type = service.get().manifest().ty();
        if (requested.serviceType() != null && requested.serviceType() != type) {
            return new Reject("the target says " + requested.serviceType() + " but '" + requested.service()
                    + "' is a " + type);
        }
        if (type.keyed() && requested.key() == null) {
            return new Reject("'" + requested.service() + "' is a " + type + ": the target needs a key (the "
                    + (type == ServiceType.WORKFLOW ? "workflow id" : "object key") + ")");
        }
        if (!type.keyed() && requested.key() != null) {
            return new Reject("'" + requested.service() + "' is a plain service: the target has no key");
        }
        Target target = new Target(requested.service(), type, requested.handler(), handler.effectiveType(type),
                requested.key());
        if (invoke.idempotencyKey() != null && target.workflowRun()) {
            return new Reject(KEY_ON_WORKFLOW);
        }

        InvocationId expected = InvocationIds.isDeterministic(target, invoke.idempotencyKey())
                ? InvocationIds.forSubmission(target, invoke.idempotencyKey())
                : null;
        InvocationId id;
        if (invoke.invocationId() != null) {
            try {
                id = InvocationId.parse(invoke.invocationId());
            } catch (InvocationId.InvalidIdException e) {
                return new Reject("bad invocation id '" + invoke.invocationId() + "': " + e.getMessage());
            }
            if (expected != null && !expected.equals(id)) {
                return new Reject("invocationId " + id + " is not the id of this submission (" + expected
                        + "); leave it out and Ferry computes it");
            }
        } else {
            id = expected != null ? expected : fromOrigin(origin, target);
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
        Invoke completed = new Invoke(id.toString(), target, invoke.idempotencyKey(), invoke.contentType(),
                invoke.headers(), invoke.body(), null, executeAt, invoke.send(), invoke.replyTo(),
                invoke.requireSameRequest(), createdAt, invoke.resultTopic());

        int partition = Routing.partition(id.partitionKey(), partitions);
        return partition == origin.partition() ? new Accept(completed) : new Reroute(completed, partition);
    }

    /**
     * The id of a submission without one: derived from where the record sits, so processing it again (after a
     * crash) gives the same id. Its partition key is the object key's for objects and workflows (so it lives with
     * its key), else the record key's (as Kafka's default partitioner placed it), else that of the record's own
     * partition.
     */
    private static InvocationId fromOrigin(Origin origin, Target target) {
        long partitionKey;
        if (target.key() != null) {
            partitionKey = Routing.partitionKey(target.key());
        } else if (origin.key() != null) {
            partitionKey = Routing.partitionKey(origin.key());
        } else {
            partitionKey = Routing.partitionKeyOf(origin.partition());
        }
        return InvocationId.deterministic(partitionKey, "record", origin.topic(),
                Integer.toString(origin.partition()), Long.toString(origin.offset()));
    }
}
