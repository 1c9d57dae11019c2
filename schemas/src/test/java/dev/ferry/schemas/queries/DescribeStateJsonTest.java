package dev.ferry.schemas.queries;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.journal.StateEntry;
import dev.ferry.schemas.replies.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A read of a key's state on the queries topic, and its answer on the replies topic, as JSON. */
class DescribeStateJsonTest {
    @Test
    void theQueryIsTypedAndReadsBack() throws Exception {
        InvocationQuery query = new DescribeState("Counter", "mary/ä", new ReplyTo("ingress-1", "7"));

        String json = new String(Json.write(query), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"type\":\"DescribeState\",\"service\":\"Counter\",\"key\":\"mary/ä\","
                + "\"replyTo\":{\"ingressId\":\"ingress-1\",\"requestId\":\"7\"}}");
        assertThat(Json.read(Json.write(query), InvocationQuery.class)).isEqualTo(query);
    }

    @Test
    void theAnswerCarriesTheEntriesSortedByKeyBytesAsPayloadsAndReadsBack() throws Exception {
        Reply reply = Reply.state("7", List.of(
                new StateEntry(Payload.ofUtf8("b"), Payload.ofUtf8("{\"n\":1}")),
                new StateEntry(Payload.ofUtf8("a"), Payload.of(new byte[] {(byte) 0xff})),
                new StateEntry(Payload.of(new byte[] {(byte) 0xc3}), Payload.ofUtf8("\"x\""))));

        String json = new String(Json.write(reply), StandardCharsets.UTF_8);

        // Keys and values are bytes, always written as base64 (StateEntry), so they come back byte for byte.
        assertThat(json).isEqualTo("{\"requestId\":\"7\",\"kind\":\"STATE\",\"state\":["
                + "{\"key\":{\"$base64\":\"YQ==\"},\"value\":{\"$base64\":\"/w==\"}},"
                + "{\"key\":{\"$base64\":\"Yg==\"},\"value\":{\"$base64\":\"eyJuIjoxfQ==\"}},"
                + "{\"key\":{\"$base64\":\"ww==\"},\"value\":{\"$base64\":\"Ingi\"}}]}");
        assertThat(Json.read(Json.write(reply), Reply.class)).isEqualTo(reply);
    }

    @Test
    void noStateIsAnEmptyListAndOtherRepliesCarryNone() throws Exception {
        assertThat(new String(Json.write(Reply.state("7", List.of())), StandardCharsets.UTF_8))
                .isEqualTo("{\"requestId\":\"7\",\"kind\":\"STATE\",\"state\":[]}");
        Reply empty = Json.read(Json.write(Reply.state("7", List.of())), Reply.class);
        assertThat(empty.state()).isEmpty();
        assertThat(Json.read(Json.write(Reply.of(Reply.Kind.DONE, "7", null)), Reply.class).state()).isNull();
    }
}
