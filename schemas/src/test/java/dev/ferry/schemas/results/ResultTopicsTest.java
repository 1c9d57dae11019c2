package dev.ferry.schemas.results;

import dev.ferry.schemas.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultTopicsTest {
    private static final Topics TOPICS = new Topics("ferry.");

    @Test
    void anyTopicThatIsNotReservedIsAllowedByDefault() {
        ResultTopics any = ResultTopics.any(TOPICS);
        assertThat(any.problem("order-results")).isNull();
        assertThat(any.problem("ferry.results")).as("Ferry's results topic").isNull();
        assertThat(any.problem("ferry.deployments")).isEqualTo("the result topic 'ferry.deployments' is not allowed:"
                + " topics starting with ferry. are Ferry's own (except ferry.results)");
        assertThat(any.problem("ferry.processor-invocations-changelog")).contains("Ferry's own");
        assertThat(any.problem("__consumer_offsets")).endsWith("topics starting with __ are Kafka's own");
        assertThat(any.problem("other-app-store-changelog")).endsWith("are Kafka Streams' own");
        assertThat(any.problem("bad topic/name")).isEqualTo("'bad topic/name' is not a valid topic name");
    }

    @Test
    void namesAndPrefixPatternsNarrowItAndReservedTopicsStayOut() {
        ResultTopics allowed = ResultTopics.parse("results.*, audit", TOPICS);
        assertThat(allowed.problem("results.orders")).isNull();
        assertThat(allowed.problem("audit")).isNull();
        assertThat(allowed.problem("auditing")).isEqualTo("the result topic 'auditing' is not allowed:"
                + " FERRY_RESULT_TOPICS allows audit,results.*");
        assertThat(ResultTopics.parse("ferry.*", TOPICS).problem("ferry.log")).contains("Ferry's own");
    }

    @Test
    void withoutAPrefixFerrysTopicsAreStillReserved() {
        ResultTopics any = ResultTopics.any(new Topics(""));
        assertThat(any.problem("log")).contains("Ferry's own");
        assertThat(any.problem("requests")).contains("Ferry's own");
        assertThat(any.problem("results")).isNull();
        assertThat(any.problem("orders")).isNull();
    }

    @Test
    void anEntryThatIsNotATopicNameIsRefused() {
        assertThatThrownBy(() -> ResultTopics.parse("good, no/good", TOPICS))
                .hasMessage("'no/good' is not a topic name or prefix* pattern");
    }
}
