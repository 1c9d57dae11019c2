package dev.ferry.schemas;


/**
 * The rules that give an invocation its routing key and id. Every submitter (the ingress, the processor for
 * direct producers, the lookup endpoint) uses these, so the same submission always gets the same id.
 */
public final class InvocationIds {
    private InvocationIds() {}

    /**
     * The routing key: the object key or workflow id for keyed services, so every command about one key lands in
     * one partition in order; otherwise the idempotency key when there is one; otherwise none (a random
     * partition).
     */
    public static String routingKey(Target target, String idempotencyKey) {
        if (target.key() != null) {
            return target.key();
        }
        return idempotencyKey;
    }

    /** The id of a new submission: deterministic for workflow runs and idempotent calls, random otherwise. */
    public static InvocationId forSubmission(Target target, String idempotencyKey) {
        String routingKey = routingKey(target, idempotencyKey);
        long partitionKey = routingKey == null
                ? Routing.randomPartitionKey()
                : Routing.partitionKey(routingKey);
        if (target.workflowRun()) {
            return InvocationId.deterministic(partitionKey, "workflow", target.service(), target.key());
        }
        if (idempotencyKey != null) {
            return InvocationId.deterministic(
                    partitionKey, "idempotent", target.service(), target.key(), target.handler(), idempotencyKey);
        }
        return InvocationId.random(partitionKey);
    }

    /** True when the id of this submission is computed from it, so a repeat of it finds the first one. */
    public static boolean isDeterministic(Target target, String idempotencyKey) {
        return target.workflowRun() || idempotencyKey != null;
    }
}
