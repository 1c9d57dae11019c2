package dev.ferry.admin;

import static dev.ferry.admin.AdminUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.client.ProcessorClient;
import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Resume;
import dev.ferry.schemas.queries.InvocationQuery;
import dev.ferry.schemas.replies.InvocationCursor;
import dev.ferry.schemas.replies.InvocationView;
import dev.ferry.schemas.replies.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /invocations} over HTTP against the admin API with a stand-in processor: what is asked of the processor for
 * a list, a describe and each management operation, and how its answers are written. The expected answers are
 * those {@code ManagementIT} and {@code ListingIT} expect of a whole Ferry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvocationsApiTest {
    private static final InvocationId ID = InvocationId.random(42);
    private static final String NOT_FOUND =
            "{\"message\":\"The invocation '" + ID + "' was not found.\",\"restate_code\":null}";

    private final AdminUnderTest admin = new AdminUnderTest();
    private final FakeProcessorClient processor = admin.processor;

    @BeforeEach
    void reset() {
        processor.reset();
    }

    @AfterAll
    void stop() {
        admin.close();
    }

    @Test
    void aListPassesItsFilterAndPageToTheProcessorAndRendersThePage() {
        InvocationView newer = view(InvocationId.random(1), "running", 2_000);
        InvocationView older = view(InvocationId.random(2), "running", 1_000);
        InvocationCursor next = new InvocationCursor(1_000, older.id().toString());
        processor.listing(new ProcessorClient.Listing(List.of(newer, older), next, false));

        HttpResponse<String> response = admin.get("/invocations?status=running&service=Greeter&handler=slow&key=k1"
                + "&limit=2&before=3000~inv_x");

        assertThat(processor.listed()).containsExactly(new FakeProcessorClient.Listed(
                new ProcessorClient.Filter("running", "Greeter", "slow", "k1"), new InvocationCursor(3_000, "inv_x"),
                2, InvocationQuery.ANSWER_WITHIN));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode page = json(response);
        assertThat(page.get("invocations")).containsExactly(written(newer), written(older));
        assertThat(page.get("next_before").asText()).isEqualTo("1000~" + older.id());
        assertThat(page.has("partial")).as("every partition answered").isFalse();
    }

    @Test
    void aListWithoutParametersAsksForTheNewestFiftyOfAnyInvocation() {
        processor.listing(new ProcessorClient.Listing(List.of(), null, false));

        HttpResponse<String> response = admin.get("/invocations");

        assertThat(processor.listed()).containsExactly(new FakeProcessorClient.Listed(
                new ProcessorClient.Filter(null, null, null, null), null, 50, InvocationQuery.ANSWER_WITHIN));
        assertThat(response.body()).as("no next_before when nothing follows").isEqualTo("{\"invocations\":[]}");
    }

    @Test
    void emptyParametersMatchAnything() {
        processor.listing(new ProcessorClient.Listing(List.of(), null, false));

        admin.get("/invocations?status=&service=&handler=&key=");

        assertThat(processor.listed().get(0).filter()).isEqualTo(new ProcessorClient.Filter(null, null, null, null));
    }

    @Test
    void aListSomePartitionDidNotAnswerIsMarkedPartial() {
        processor.listing(new ProcessorClient.Listing(List.of(), null, true));

        JsonNode page = json(admin.get("/invocations"));

        assertThat(page.get("invocations")).isEmpty();
        assertThat(page.get("partial").asBoolean()).isTrue();
    }

    @Test
    void anUnknownStatusIs400AndNothingIsAsked() {
        HttpResponse<String> response = admin.get("/invocations?status=sleeping");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).startsWith("unknown status 'sleeping'; use one of [");
        assertThat(json(response).get("restate_code").isNull()).isTrue();
        assertThat(processor.untouched()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "201", "-1", "many"})
    void aLimitOutsideOneTo200Is400(String limit) {
        HttpResponse<String> response = admin.get("/invocations?limit=" + limit);

        assertAdminError(response, 400, "limit must be a whole number from 1 to 200");
        assertThat(processor.untouched()).isTrue();
    }

    @Test
    void aBeforeThatIsNoCursorIs400() {
        HttpResponse<String> response = admin.get("/invocations?before=yesterday");

        assertAdminError(response, 400, "invalid before 'yesterday': use the next_before of a page");
        assertThat(processor.untouched()).isTrue();
    }

    @Test
    void aDescribeAnswersTheInvocationsView() {
        InvocationView view = view(ID, "scheduled", 1_000);
        processor.describing(Optional.of(Reply.invocations("request", List.of(view))));

        HttpResponse<String> response = admin.get("/invocations/" + ID);

        assertThat(processor.described()).containsExactly(
                new FakeProcessorClient.Described(ID, InvocationQuery.ANSWER_WITHIN));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(json(response)).isEqualTo(written(view));
        assertThat(json(response).get("status").asText()).isEqualTo("scheduled");
    }

    @Test
    void aDescribeOfAnUnknownInvocationIs404InTheAdminShape() {
        processor.describing(Optional.of(Reply.of(Reply.Kind.NOT_FOUND, "request", ID)));

        HttpResponse<String> response = admin.get("/invocations/" + ID);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo(NOT_FOUND);
    }

    @Test
    void aDescribeOfAMalformedIdIs400WithRestatesReason() {
        HttpResponse<String> response = admin.get("/invocations/garbage");

        assertAdminError(response, 400, "The request field 'invocation_id' is invalid. Reason: bad format");
        assertThat(processor.untouched()).isTrue();
    }

    @Test
    void aDescribeNoProcessorAnsweredInTimeIs503() {
        processor.describing(Optional.empty());

        HttpResponse<String> response = admin.get("/invocations/" + ID);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("message").asText())
                .startsWith("no processor answered for the partition of '" + ID + "' within 5 s");
        assertThat(json(response).get("restate_code").isNull()).isTrue();
    }

    static Stream<Arguments> operations() {
        return Stream.of(
                Arguments.of("cancel", (BiFunction<InvocationId, ReplyTo, Command>) Cancel::new, 202),
                Arguments.of("kill", (BiFunction<InvocationId, ReplyTo, Command>) Kill::new, 200),
                Arguments.of("purge", (BiFunction<InvocationId, ReplyTo, Command>) Purge::new, 200),
                Arguments.of("resume", (BiFunction<InvocationId, ReplyTo, Command>) Resume::new, 200));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void anOperationSendsItsCommandAndAnswersItsStatusWithNoBodyOnceDone(String operation,
            BiFunction<InvocationId, ReplyTo, Command> command, int status) {
        processor.answering(asked -> Reply.of(Reply.Kind.DONE, "request", ID));

        HttpResponse<String> response = admin.method("PATCH", "/invocations/" + ID + "/" + operation, null);

        assertThat(processor.asked()).hasSize(1);
        Command sent = processor.asked().get(0).command();
        assertThat(sent).isEqualTo(command.apply(ID, replyTo(sent)));
        assertThat(replyTo(sent).ingressId()).isEqualTo(FakeProcessorClient.INGRESS_ID);
        assertThat(processor.asked().get(0).maxWait()).as("waits until the processor answers").isNull();
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cancel", "kill", "purge", "resume"})
    void anOperationOnAnUnknownInvocationIs404InTheAdminShape(String operation) {
        processor.answering(asked -> Reply.of(Reply.Kind.NOT_FOUND, "request", ID));

        HttpResponse<String> response = admin.method("PATCH", "/invocations/" + ID + "/" + operation, null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo(NOT_FOUND);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void anOperationTheProcessorRefusesIsAnsweredWithItsCodeAndMessage() {
        String message = "The invocation '" + ID + "' is not yet completed.";
        processor.answering(asked -> Reply.rejected("request", ID, 409, message));

        HttpResponse<String> response = admin.method("PATCH", "/invocations/" + ID + "/purge", null);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).isEqualTo("{\"message\":\"" + message + "\",\"restate_code\":null}");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void anOperationOnAMalformedIdIs400WithRestatesReasonAndNothingIsSent() {
        assertAdminError(admin.method("PATCH", "/invocations/garbage/kill", null), 400,
                "The request field 'invocation_id' is invalid. Reason: bad format");
        assertAdminError(admin.method("PATCH", "/invocations/inv_1aaaaaaaaaaaa5ZZZZZZZZZZZZZZZZZZZZZ/cancel", null),
                400, "The request field 'invocation_id' is invalid. Reason: base62 decode error");
        assertThat(processor.untouched()).isTrue();
    }

    @Test
    void anOperationTheProcessorCannotBeAskedIs503InTheAdminShape() {
        processor.unavailable(new ProcessorUnavailable(503, "the command log cannot be reached"));

        HttpResponse<String> response = admin.method("PATCH", "/invocations/" + ID + "/kill", null);

        assertAdminError(response, 503, "the command log cannot be reached");
        assertThat(response.headers().firstValue("x-restate-error-source")).as("not the ingress shape").isEmpty();
    }

    @Test
    void anotherMethodOnAnOperationIsAnEmpty405AllowingPatch() {
        HttpResponse<String> post = admin.method("POST", "/invocations/" + ID + "/cancel", null);
        HttpResponse<String> get = admin.get("/invocations/" + ID + "/kill");

        for (HttpResponse<String> response : List.of(post, get)) {
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).hasValue("PATCH");
            assertThat(response.body()).isEmpty();
        }
        assertThat(processor.untouched()).isTrue();
    }

    static Stream<Arguments> deleteModes() {
        return Stream.of(
                Arguments.of("", (BiFunction<InvocationId, ReplyTo, Command>) Cancel::new),
                Arguments.of("?mode=cancel", (BiFunction<InvocationId, ReplyTo, Command>) Cancel::new),
                Arguments.of("?mode=kill", (BiFunction<InvocationId, ReplyTo, Command>) Kill::new),
                Arguments.of("?mode=PURGE", (BiFunction<InvocationId, ReplyTo, Command>) Purge::new));
    }

    @ParameterizedTest(name = "DELETE {0}")
    @MethodSource("deleteModes")
    void theOlderDeleteFormSendsItsModesCommandAndAnswers202(String query,
            BiFunction<InvocationId, ReplyTo, Command> command) {
        processor.answering(asked -> Reply.of(Reply.Kind.DONE, "request", ID));

        HttpResponse<String> response = admin.method("DELETE", "/invocations/" + ID + query, null);

        assertThat(processor.asked()).hasSize(1);
        Command sent = processor.asked().get(0).command();
        assertThat(sent).isEqualTo(command.apply(ID, replyTo(sent)));
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void theOlderDeleteFormIs202EvenForAnInvocationNotFoundAsRestateAnswers() {
        processor.answering(asked -> Reply.of(Reply.Kind.NOT_FOUND, "request", ID));

        assertThat(admin.method("DELETE", "/invocations/" + ID, null).statusCode()).isEqualTo(202);
    }

    @Test
    void theOlderDeleteFormWithAnUnknownModeIs400() {
        HttpResponse<String> response = admin.method("DELETE", "/invocations/" + ID + "?mode=explode", null);

        assertAdminError(response, 400, "unknown mode 'explode': use cancel, kill or purge");
        assertThat(processor.untouched()).isTrue();
    }

    private static ReplyTo replyTo(Command command) {
        return switch (command) {
            case Cancel cancel -> cancel.replyTo();
            case Kill kill -> kill.replyTo();
            case Purge purge -> purge.replyTo();
            case Resume resume -> resume.replyTo();
            default -> throw new AssertionError("not a management command: " + command);
        };
    }

    private static InvocationView view(InvocationId id, String status, long createdAtMillis) {
        return new InvocationView(id, "Greeter/slow", "Greeter", "slow", null, null, status, 1,
                new Failure(500, "transient"), null, InvocationView.time(createdAtMillis), null, null, null, null,
                null, null, createdAtMillis);
    }

    /** The view as JSON, read back as a response body is. */
    private static JsonNode written(InvocationView view) {
        try {
            return Json.MAPPER.readTree(Json.writeString(view));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restate's admin error: {@code {"message":M,"restate_code":null}} exactly, as JSON. */
    static void assertAdminError(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).isEqualTo(
                Json.MAPPER.createObjectNode().put("message", message).putNull("restate_code").toString());
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }
}
