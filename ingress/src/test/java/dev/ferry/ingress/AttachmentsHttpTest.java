package dev.ferry.ingress;

import static dev.ferry.ingress.InvocationsHttpTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.http.HttpAnswers;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.replies.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attach and output over HTTP against the ingress with a stand-in processor: which invocation each URL form asks
 * about, with which command, and how the answers are written. The expected answers are those {@code ConformanceIT}
 * and {@code ManagementIT} expect of a whole Ferry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttachmentsHttpTest {
    private static final InvocationId ID = InvocationId.random(7);
    private static final String RESULT = "{\"slept\":2000}";
    private static final String UNDECODABLE = "inv_1aaaaaaaaaaaa0000000000000000000000";

    private final IngressUnderTest ingress = new IngressUnderTest();
    private final FakeProcessorClient processor = ingress.processor;

    @BeforeEach
    void reset() {
        ingress.reset();
    }

    @AfterAll
    void stop() {
        ingress.close();
    }

    @Test
    void attachByIdWaitsForThatInvocationsResult() {
        processor.answering(command -> result(command, null));

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/attach");

        FakeProcessorClient.Asked asked = processor.onlyAsked();
        assertThat(asked.command()).isInstanceOf(Attach.class);
        assertThat(asked.command().invocationId()).isEqualTo(ID);
        assertThat(asked.about()).isEqualTo(ID);
        assertThat(asked.maxWait()).isNull();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(RESULT);
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(ID.toString());
        assertThat(response.headers().firstValue("idempotency-expires")).isEmpty();
    }

    @Test
    void outputByIdAsksForTheKeptResultAndAnswersItWithItsExpiry() {
        long retainedUntil = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
        processor.answering(command -> result(command, retainedUntil));

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/output");

        FakeProcessorClient.Asked asked = processor.onlyAsked();
        assertThat(asked.command()).isInstanceOf(GetOutput.class);
        assertThat(asked.command().invocationId()).isEqualTo(ID);
        assertThat(asked.about()).as("output does not wait for the result").isNull();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(RESULT);
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(ID.toString());
        assertThat(response.headers().firstValue("idempotency-expires")).hasValue(HttpAnswers.expires(retainedUntil));
    }

    @Test
    void theShortFormsAttachAndOutputTheSameInvocation() {
        processor.answering(command -> result(command, null));

        HttpResponse<String> attach = ingress.get("/restate/attach/" + ID);
        HttpResponse<String> output = ingress.get("/restate/output/" + ID);

        assertThat(processor.asked()).extracting(FakeProcessorClient.Asked::command)
                .satisfiesExactly(
                        first -> assertThat(first).isEqualTo(new Attach(ID, replyTo(first))),
                        second -> assertThat(second).isEqualTo(new GetOutput(ID, replyTo(second))));
        assertThat(attach.body()).isEqualTo(RESULT);
        assertThat(output.body()).isEqualTo(RESULT);
    }

    @Test
    void outputOfAnInvocationStillRunningIs470() {
        processor.answering(command -> Reply.of(Reply.Kind.NOT_READY, replyTo(command).requestId(), ID));

        HttpResponse<String> response = ingress.get("/restate/output/" + ID);

        assertError(response, 470, "the invocation exists but has not completed yet", "ingress");
    }

    @Test
    void outputOfAnUnknownInvocationIs404InvocationNotFound() {
        processor.answering(command -> Reply.of(Reply.Kind.NOT_FOUND, replyTo(command).requestId(), ID));

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/output");

        assertError(response, 404, "invocation not found", "ingress");
    }

    @Test
    void attachOfAnUnknownInvocationIs404FromTheInvocationWithItsId() {
        processor.answering(command -> Reply.of(Reply.Kind.NOT_FOUND, replyTo(command).requestId(), ID));

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/attach");

        assertError(response, 404, "not found", "invocation");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(ID.toString());
    }

    @Test
    void aTerminalFailureIsAnsweredAsTheInvocationsFailure() {
        processor.answering(command ->
                Reply.result(replyTo(command).requestId(), ID, Outcome.failure(409, "killed"), null));

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/attach");

        assertError(response, 409, "killed", "invocation");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(ID.toString());
    }

    @Test
    void anAttachStillRunningWhenItsWaitPassesIs202WithTheAttachLocation() {
        processor.answeringNothing();

        HttpResponse<String> response = ingress.get("/restate/invocation/" + ID + "/attach", "prefer", "wait=0");

        assertThat(processor.onlyAsked().maxWait()).isEqualTo(Duration.ZERO);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + ID + "\",\"status\":\"Running\"}");
        assertThat(response.headers().firstValue("location")).hasValue("/restate/invocation/" + ID + "/attach");
    }

    @Test
    void attachByIdempotencyKeyAsksAboutTheIdThatKeyGives() {
        processor.answering(command -> result(command, null));

        ingress.get("/restate/invocation/Greeter/greet/key-1/attach");
        ingress.get("/restate/invocation/Counter/k%2F1/add/key-1/output");

        assertThat(processor.asked()).extracting(asked -> asked.command().invocationId()).containsExactly(
                InvocationIds.idempotent("Greeter", null, "greet", "key-1"),
                InvocationIds.idempotent("Counter", "k/1", "add", "key-1"));
    }

    @Test
    void anIdempotencyKeyOfAHandlerThatDoesNotExistIsNotFoundWithoutAsking() {
        HttpResponse<String> response = ingress.get("/restate/invocation/Greeter/nohandler/key-1/output");

        assertError(response, 404, "invocation not found", "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void attachOfAWorkflowAsksAboutItsRun() {
        processor.answering(command -> result(command, null));

        HttpResponse<String> response = ingress.get("/restate/workflow/Signup/wf-1/attach");

        assertThat(processor.onlyAsked().command().invocationId())
                .isEqualTo(InvocationIds.workflowRun("Signup", "wf-1"));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void theWorkflowFormOfAServiceThatIsNoWorkflowIsNotFoundWithoutAsking() {
        assertError(ingress.get("/restate/workflow/Greeter/x/output"), 404, "invocation not found", "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void attachAndOutputOfAMalformedIdAre400WithRestatesReason() {
        assertError(ingress.get("/restate/invocation/garbage/attach"), 400, "bad invocation id 'garbage': bad format",
                "ingress");
        assertError(ingress.get("/restate/invocation/garbage/output"), 400, "bad invocation id 'garbage': bad format",
                "ingress");
        assertError(ingress.get("/restate/invocation/inv_1/output"), 400, "bad invocation id 'inv_1': bad length",
                "ingress");
        assertError(ingress.get("/restate/invocation/" + UNDECODABLE + "/attach"), 400,
                "bad invocation id '" + UNDECODABLE + "': base62 decode error", "ingress");
        assertError(ingress.get("/restate/output/garbage"), 400, "bad invocation id 'garbage': bad format", "ingress");
        assertError(ingress.get("/restate/attach/garbage"), 400, "bad invocation id 'garbage': bad format", "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "DELETE"})
    void attachAndOutputAnswerOnlyGet(String method) {
        assertError(ingress.method(method, "/restate/invocation/" + ID + "/output", null), 405, "method not allowed",
                "ingress");
        assertError(ingress.method(method, "/restate/attach/" + ID, null), 405, "method not allowed", "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void otherInvocationPathShapesAre400Or404() {
        assertError(ingress.get("/restate/invocation/" + ID), 400, Attachments.BAD_INVOCATION_PATH, "ingress");
        assertError(ingress.get("/restate/invocation/" + ID + "/foo"), 404, "not found", "ingress");
        assertError(ingress.get("/restate/workflow/Signup/wf-1"), 400, Attachments.BAD_WORKFLOW_PATH, "ingress");
        assertError(ingress.get("/restate/invocation/Signup/run/wf-1/output"), 400, Attachments.BAD_INVOCATION_PATH,
                "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void aProcessorThatCannotBeAskedIs503() {
        processor.unavailable(new ProcessorUnavailable(503, "Ferry is shutting down"));

        assertError(ingress.get("/restate/attach/" + ID), 503, "Ferry is shutting down", "ingress");
    }

    @Test
    void lookupComputesAnIdWithoutAskingTheProcessor() {
        HttpResponse<String> workflow = ingress.postJson("/restate/lookup",
                "{\"target\":\"workflow\",\"workflowName\":\"Signup\",\"workflowKey\":\"wf-1\"}");
        HttpResponse<String> idempotent = ingress.postJson("/restate/lookup", "{\"target\":\"idempotentInvocation\","
                + "\"service\":\"Counter\",\"key\":\"k\",\"handler\":\"add\",\"idempotencyKey\":\"key-1\"}");

        assertThat(workflow.statusCode()).isEqualTo(200);
        assertThat(workflow.body()).isEqualTo(
                "{\"invocationId\":\"" + InvocationIds.workflowRun("Signup", "wf-1") + "\"}");
        assertThat(idempotent.body()).isEqualTo(
                "{\"invocationId\":\"" + InvocationIds.idempotent("Counter", "k", "add", "key-1") + "\"}");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void attachWithATargetBodyAsksAboutThatTarget() {
        processor.answering(command -> result(command, null));

        HttpResponse<String> response = ingress.postJson("/restate/attach",
                "{\"target\":\"invocation\",\"invocationId\":\"" + ID + "\"}");

        assertThat(processor.onlyAsked().command()).isInstanceOf(Attach.class);
        assertThat(processor.onlyAsked().command().invocationId()).isEqualTo(ID);
        assertThat(response.body()).isEqualTo(RESULT);
    }

    private static Reply result(Command command, Long retainedUntil) {
        return Reply.result(replyTo(command).requestId(), command.invocationId(),
                Outcome.success(200, "application/json", Payload.ofUtf8(RESULT)), retainedUntil);
    }

    private static ReplyTo replyTo(Command command) {
        return switch (command) {
            case Attach attach -> attach.replyTo();
            case GetOutput output -> output.replyTo();
            default -> throw new AssertionError("not an attach or output: " + command);
        };
    }
}
