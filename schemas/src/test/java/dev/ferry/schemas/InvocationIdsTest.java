package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import org.junit.jupiter.api.Test;

class InvocationIdsTest {
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final Target GREET_OTHER_HANDLER = Target.service("Greeter", "hello");
    private static final Target COUNTER_ADD =
            new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "alice");
    private static final Target COUNTER_GET =
            new Target("Counter", ServiceType.VIRTUAL_OBJECT, "get", HandlerType.SHARED, "alice");
    private static final Target SIGNUP_RUN =
            new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf-1");
    private static final Target SIGNUP_STATUS =
            new Target("Signup", ServiceType.WORKFLOW, "status", HandlerType.SHARED, "wf-1");

    @Test
    void workflowRunIdIsDeterministicAndCarriesTheWorkflowIdsPartitionKey() {
        InvocationId first = InvocationIds.forSubmission(SIGNUP_RUN, null);

        assertThat(InvocationIds.forSubmission(SIGNUP_RUN, null)).isEqualTo(first);
        assertThat(first.partitionKey()).isEqualTo(Routing.partitionKey("wf-1"));
        assertThat(InvocationIds.isDeterministic(SIGNUP_RUN, null)).isTrue();
    }

    @Test
    void workflowRunsOfDifferentWorkflowIdsGetDifferentIds() {
        Target otherRun = new Target("Signup", ServiceType.WORKFLOW, "run", HandlerType.WORKFLOW, "wf-2");

        assertThat(InvocationIds.forSubmission(otherRun, null))
                .isNotEqualTo(InvocationIds.forSubmission(SIGNUP_RUN, null));
    }

    @Test
    void sharedWorkflowHandlerCallsGetRandomIdsOnTheWorkflowsPartition() {
        InvocationId first = InvocationIds.forSubmission(SIGNUP_STATUS, null);

        assertThat(InvocationIds.forSubmission(SIGNUP_STATUS, null)).isNotEqualTo(first);
        assertThat(first.partitionKey()).isEqualTo(Routing.partitionKey("wf-1"));
        assertThat(InvocationIds.isDeterministic(SIGNUP_STATUS, null)).isFalse();
    }

    @Test
    void idempotentServiceCallIsDeterministicAndRoutedByTheIdempotencyKey() {
        InvocationId first = InvocationIds.forSubmission(GREET, "k1");

        assertThat(InvocationIds.forSubmission(GREET, "k1")).isEqualTo(first);
        assertThat(first.partitionKey()).isEqualTo(Routing.partitionKey("k1"));
        assertThat(InvocationIds.routingKey(GREET, "k1")).isEqualTo("k1");
        assertThat(InvocationIds.isDeterministic(GREET, "k1")).isTrue();
    }

    @Test
    void idempotentObjectCallIsDeterministicAndRoutedByTheObjectKey() {
        InvocationId first = InvocationIds.forSubmission(COUNTER_ADD, "k1");

        assertThat(InvocationIds.forSubmission(COUNTER_ADD, "k1")).isEqualTo(first);
        assertThat(first.partitionKey()).isEqualTo(Routing.partitionKey("alice"));
        assertThat(InvocationIds.routingKey(COUNTER_ADD, "k1")).isEqualTo("alice");
    }

    @Test
    void plainCallsGetRandomIds() {
        assertThat(InvocationIds.forSubmission(GREET, null)).isNotEqualTo(InvocationIds.forSubmission(GREET, null));
        assertThat(InvocationIds.isDeterministic(GREET, null)).isFalse();
        assertThat(InvocationIds.routingKey(GREET, null)).isNull();
    }

    @Test
    void plainObjectCallsGetRandomIdsOnTheKeysPartition() {
        InvocationId first = InvocationIds.forSubmission(COUNTER_ADD, null);

        assertThat(InvocationIds.forSubmission(COUNTER_ADD, null)).isNotEqualTo(first);
        assertThat(first.partitionKey()).isEqualTo(Routing.partitionKey("alice"));
    }

    @Test
    void sameIdempotencyKeyOnAnotherHandlerGivesAnotherId() {
        assertThat(InvocationIds.forSubmission(GREET_OTHER_HANDLER, "k1"))
                .isNotEqualTo(InvocationIds.forSubmission(GREET, "k1"));
        assertThat(InvocationIds.forSubmission(COUNTER_GET, "k1"))
                .isNotEqualTo(InvocationIds.forSubmission(COUNTER_ADD, "k1"));
    }

    @Test
    void sameIdempotencyKeyOnAnotherObjectKeyGivesAnotherId() {
        Target bobAdd = new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "bob");

        assertThat(InvocationIds.forSubmission(bobAdd, "k1"))
                .isNotEqualTo(InvocationIds.forSubmission(COUNTER_ADD, "k1"));
    }

    @Test
    void sameIdempotencyKeyOnAnotherServiceGivesAnotherId() {
        assertThat(InvocationIds.forSubmission(Target.service("Other", "greet"), "k1"))
                .isNotEqualTo(InvocationIds.forSubmission(GREET, "k1"));
    }

    @Test
    void differentIdempotencyKeysGiveDifferentIds() {
        assertThat(InvocationIds.forSubmission(GREET, "k2")).isNotEqualTo(InvocationIds.forSubmission(GREET, "k1"));
    }

    @Test
    void aRecordWithoutAnIdGetsOneFromWhereItSitsTheSameEachTimeItIsRead() {
        InvocationIds.RecordPosition onTheLog = new InvocationIds.RecordPosition(null, "ferry.log", 3, 42, null);
        InvocationIds.RecordPosition subscribed = new InvocationIds.RecordPosition("sub_1", "orders", 3, 42, null);

        assertThat(InvocationIds.forRecord(GREET, null, onTheLog, 8))
                .isEqualTo(InvocationIds.forRecord(GREET, null, onTheLog, 8))
                .isEqualTo(InvocationId.deterministic(Routing.partitionKeyOf(3), "record", "ferry.log", "3", "42"));
        assertThat(InvocationIds.forRecord(GREET, null, subscribed, 2)).as("the record's partition, modulo the log's")
                .isEqualTo(InvocationId.deterministic(Routing.partitionKeyOf(1), "subscription", "sub_1", "orders",
                        "3", "42"));
    }

    @Test
    void aRecordsIdLivesWithItsObjectKeyElseItsRecordKey() {
        InvocationIds.RecordPosition keyed = new InvocationIds.RecordPosition(null, "ferry.log", 0, 7, "bob");

        assertThat(InvocationIds.forRecord(COUNTER_ADD, null, keyed, 8).partitionKey())
                .isEqualTo(Routing.partitionKey("alice"));
        assertThat(InvocationIds.forRecord(GREET, null, keyed, 8).partitionKey())
                .isEqualTo(Routing.partitionKey("bob"));
    }

    @Test
    void aRecordForAWorkflowRunOrWithAnIdempotencyKeyGetsTheSubmissionsOwnId() {
        InvocationIds.RecordPosition position = new InvocationIds.RecordPosition("sub_1", "orders", 0, 7, "wf-1");

        assertThat(InvocationIds.forRecord(SIGNUP_RUN, null, position, 8))
                .isEqualTo(InvocationIds.forSubmission(SIGNUP_RUN, null));
        assertThat(InvocationIds.forRecord(GREET, "key-1", position, 8))
                .isEqualTo(InvocationIds.forSubmission(GREET, "key-1"));
    }
}
