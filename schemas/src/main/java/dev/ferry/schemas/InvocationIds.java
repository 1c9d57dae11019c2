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
        if (target.workflowRun()) {
            return workflowRun(target.service(), target.key());
        }
        if (idempotencyKey != null) {
            return idempotent(target.service(), target.key(), target.handler(), idempotencyKey);
        }
        return InvocationId.random(target.key() == null
                ? Routing.randomPartitionKey()
                : Routing.partitionKey(target.key()));
    }

    /** The id of the run of workflow {@code workflow} with id {@code workflowId}. */
    public static InvocationId workflowRun(String workflow, String workflowId) {
        return InvocationId.deterministic(Routing.partitionKey(workflowId), "workflow", workflow, workflowId);
    }

    /**
     * The id of the invocation of {@code handler} with {@code idempotencyKey}: idempotency keys are scoped to the
     * service, the object key (null for plain services) and the handler.
     */
    public static InvocationId idempotent(String service, String key, String handler, String idempotencyKey) {
        long partitionKey = Routing.partitionKey(key != null ? key : idempotencyKey);
        return InvocationId.deterministic(partitionKey, "idempotent", service, key, handler, idempotencyKey);
    }

    /** True when the id of this submission is computed from it, so a repeat of it finds the first one. */
    public static boolean isDeterministic(Target target, String idempotencyKey) {
        return target.workflowRun() || idempotencyKey != null;
    }
}
