package dev.ferry.schemas;


/**
 * The rules that give an invocation its routing key and id. Every submitter (the ingress, subscriptions, the
 * processor for direct producers' records, the lookup endpoint) uses these, so the same submission always gets
 * the same id.
 */
public final class InvocationIds {
    private InvocationIds() {}

    /**
     * Where a submission read from a Kafka record sits: what identifies a submission that has no id of its own.
     *
     * @param subscription the subscription that read it; null for a record on the command log itself (a direct
     *     producer's)
     * @param key the record's key; null for none
     */
    public record RecordPosition(String subscription, String topic, int partition, long offset, String key) {}

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

    /**
     * The id of a new submission read from a record: as {@link #forSubmission} for workflow runs and idempotent
     * calls; otherwise derived from where the record sits, so reading it again (after a crash) gives the same id.
     * Such an id's partition key is the object key's for objects and workflows (so it lives with its key), else the
     * record key's (as Kafka's default partitioner placed it), else that of the record's own partition.
     *
     * @param partitions the command log's
     */
    public static InvocationId forRecord(Target target, String idempotencyKey, RecordPosition position,
            int partitions) {
        if (isDeterministic(target, idempotencyKey)) {
            return forSubmission(target, idempotencyKey);
        }
        long partitionKey;
        if (target.key() != null) {
            partitionKey = Routing.partitionKey(target.key());
        } else if (position.key() != null) {
            partitionKey = Routing.partitionKey(position.key());
        } else {
            partitionKey = Routing.partitionKeyOf(position.partition() % partitions);
        }
        String topic = position.topic();
        String partition = Integer.toString(position.partition());
        String offset = Long.toString(position.offset());
        return position.subscription() == null
                ? InvocationId.deterministic(partitionKey, "record", topic, partition, offset)
                : InvocationId.deterministic(partitionKey, "subscription", position.subscription(), topic,
                        partition, offset);
    }

    /**
     * The id of an invocation that a handler written with a Restate SDK calls or sends: as {@link #forSubmission}
     * for workflow runs and idempotent calls; otherwise derived from the caller and the command's completion id (or
     * its place in the journal), so applying the same journal again gives the same id. It lives with its object key
     * when it has one.
     */
    public static InvocationId forCall(Target target, String idempotencyKey, InvocationId caller, int commandIndex) {
        if (isDeterministic(target, idempotencyKey)) {
            return forSubmission(target, idempotencyKey);
        }
        String callRef = caller + "/" + commandIndex;
        long partitionKey = Routing.partitionKey(target.key() != null ? target.key() : callRef);
        return InvocationId.deterministic(partitionKey, "call", callRef);
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
