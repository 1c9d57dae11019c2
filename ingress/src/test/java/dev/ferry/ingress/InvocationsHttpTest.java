package dev.ferry.ingress;

import static dev.ferry.ingress.IngressUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.http.HttpAnswers;
import dev.ferry.registry.Targets;
import dev.ferry.schemas.InvocationIds;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.replies.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Calls and sends over HTTP against the ingress with a stand-in processor: what is appended to the command log, and
 * how the processor's answers (or its absence) are answered to the caller. The expected answers are those
 * {@code ConformanceIT}, {@code WaitersIT} and {@code RetentionIT} expect of a whole Ferry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvocationsHttpTest {
    private static final Pattern INVOCATION_ID = Pattern.compile("inv_1[0-9a-zA-Z]{33}");
    private static final String GREETING = "{\"greeting\":\"Hello Ann\",\"name\":\"Ann\"}";

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
    void aCallAppendsAnInvokeOfItsTargetWithItsBodyAndAnswersTheHandlersResult() {
        processor.answering(command -> success(command, 200, "application/json", GREETING));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{\"name\":\"Ann\"}");

        FakeProcessorClient.Asked asked = processor.onlyAsked();
        Invoke invoke = (Invoke) asked.command();
        assertThat(invoke.target()).isEqualTo(Target.service("Greeter", "greet"));
        assertThat(invoke.body().utf8()).isEqualTo("{\"name\":\"Ann\"}");
        assertThat(invoke.contentType()).isEqualTo("application/json");
        assertThat(invoke.send()).isFalse();
        assertThat(invoke.idempotencyKey()).isNull();
        assertThat(invoke.executeAt()).isNull();
        assertThat(invoke.replyTo().ingressId()).isEqualTo(FakeProcessorClient.INGRESS_ID);
        assertThat(asked.about()).as("a call waits for the invocation's result").isEqualTo(invoke.invocationId());
        assertThat(asked.maxWait()).as("no Prefer: wait, no service maximum").isNull();
        assertThat(processor.told()).isEmpty();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(GREETING);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(invoke.invocationId().toString());
        assertThat(invoke.invocationId().toString()).matches(INVOCATION_ID);
        assertThat(response.headers().firstValue("idempotency-expires")).isEmpty();
    }

    @Test
    void aCallAnswersTheHandlersStatusAndLeavesOutTheContentTypeOfAnEmptyBody() {
        processor.answering(command -> success(command, 204, "application/json", ""));

        HttpResponse<String> response = ingress.postJson("/Greeter/noop", "{}");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("content-type")).isEmpty();
    }

    @Test
    void aCallToAnObjectTargetsItsKeyAndTheHandlersType() {
        processor.answering(command -> success(command, 200, "application/json", "3"));

        HttpResponse<String> response = ingress.postJson("/Counter/a%2Fb/add", "3");

        Invoke invoke = (Invoke) processor.onlyAsked().command();
        assertThat(invoke.target())
                .isEqualTo(new Target("Counter", ServiceType.VIRTUAL_OBJECT, "add", HandlerType.EXCLUSIVE, "a/b"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("3");
    }

    @Test
    void theRestateCallFormInvokesTheSameTargetAsTheClassicForm() {
        processor.answering(command -> success(command, 200, "application/json", GREETING));

        HttpResponse<String> response = ingress.postJson("/restate/call/Greeter/greet", "{\"name\":\"Ann\"}");

        assertThat(((Invoke) processor.onlyAsked().command()).target()).isEqualTo(Target.service("Greeter", "greet"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(GREETING);
    }

    @Test
    void theCallersHeadersArePassedOnWithoutTheOnesAboutTheRequestItself() {
        processor.answering(command -> success(command, 200, "application/json", GREETING));

        ingress.postJson("/Greeter/greet", "{\"name\":\"Ann\"}", "x-trace", "abc", "prefer", "wait=30");

        Invoke invoke = (Invoke) processor.onlyAsked().command();
        assertThat(invoke.headers()).contains(new Header("x-trace", "abc"));
        assertThat(invoke.headers()).extracting(Header::name)
                .doesNotContain("content-type", "content-length", "host", "prefer", "idempotency-key");
    }

    @Test
    void aTerminalFailureIsAnsweredWithItsCodeAndMessageFromTheInvocation() {
        processor.answering(command -> Reply.result(requestId(command), command.invocationId(),
                Outcome.failure(400, "this failed terminally"), null));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{}");

        assertError(response, 400, "this failed terminally", "invocation");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(processor.onlyAsked().command().invocationId().toString());
    }

    @Test
    void aSendIsAnswered202WithTheInvocationIdOnceTheLogHasIt() {
        HttpResponse<String> response = ingress.postJson("/Greeter/greet/send", "{\"name\":\"Sendy\"}");

        assertThat(processor.asked()).as("a plain send needs no verdict from the processor").isEmpty();
        assertThat(processor.told()).hasSize(1);
        Invoke invoke = (Invoke) processor.told().get(0);
        assertThat(invoke.target()).isEqualTo(Target.service("Greeter", "greet"));
        assertThat(invoke.send()).isTrue();
        assertThat(invoke.replyTo()).isNull();
        assertThat(invoke.body().utf8()).isEqualTo("{\"name\":\"Sendy\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(invoke.invocationId().toString());
        assertThat(response.body())
                .isEqualTo("{\"invocationId\":\"" + invoke.invocationId() + "\",\"status\":\"Accepted\"}");
    }

    @Test
    void theRestateSendFormIsASend() {
        HttpResponse<String> response = ingress.postJson("/restate/send/Greeter/greet", "{}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(((Invoke) processor.told().get(0)).send()).isTrue();
    }

    @Test
    void aDelayedSendCarriesItsExecutionTimeInTheInvokeAndTheAnswer() {
        long before = System.currentTimeMillis();
        HttpResponse<String> response = ingress.postJson("/Greeter/greet/send?delay=1m", "{}");
        long after = System.currentTimeMillis();

        Invoke invoke = (Invoke) processor.told().get(0);
        assertThat(invoke.executeAt()).isBetween(before + 60_000, after + 60_000);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + invoke.invocationId() + "\",\"executionTime\":\""
                + HttpAnswers.executionTime(invoke.executeAt()) + "\",\"status\":\"Accepted\"}");
    }

    @Test
    void aDelayOnACallIs400AndNothingIsAppended() {
        HttpResponse<String> response = ingress.postJson("/Greeter/greet?delay=1s", "{}");

        assertError(response, 400, Invocations.DELAY_ON_CALL, "ingress");
        assertThat(processor.asked()).isEmpty();
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void aSendToAnExclusiveHandlerWaitsForTheProcessorsVerdict() {
        processor.answering(command -> Reply.of(Reply.Kind.ACCEPTED, requestId(command), command.invocationId()));

        HttpResponse<String> response = ingress.postJson("/Counter/k1/add/send", "1");

        FakeProcessorClient.Asked asked = processor.onlyAsked();
        assertThat(((Invoke) asked.command()).send()).isTrue();
        assertThat(asked.maxWait()).as("a send waits for the verdict until it comes").isNull();
        assertThat(asked.about()).as("a send does not wait for the result").isNull();
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).get("status").asText()).isEqualTo("Accepted");
    }

    @Test
    void aSendRefusedForAFullInboxIs429WithRetryAfter() {
        processor.answering(command -> Reply.rejected(requestId(command), command.invocationId(), 429,
                "the inbox of Counter/k1 is full"));

        HttpResponse<String> response = ingress.postJson("/Counter/k1/add/send", "1");

        assertError(response, 429, "the inbox of Counter/k1 is full", "ingress");
        assertThat(response.headers().firstValue("retry-after")).hasValue("1");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(processor.onlyAsked().command().invocationId().toString());
    }

    @Test
    void anIdempotencyKeyGivesTheInvocationADeterministicId() {
        processor.answering(command -> success(command, 200, "application/json", GREETING));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{\"name\":\"Ann\"}",
                "idempotency-key", "key-1");

        String expected = InvocationIds.idempotent("Greeter", null, "greet", "key-1").toString();
        Invoke invoke = (Invoke) processor.onlyAsked().command();
        assertThat(invoke.invocationId()).hasToString(expected);
        assertThat(invoke.idempotencyKey()).isEqualTo("key-1");
        assertThat(invoke.requireSameRequest()).as("Restate replays the first result by default").isFalse();
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(expected);
    }

    @Test
    void aRepeatedKeyIsAnsweredWithTheProcessorsKeptResultAndItsExpiry() {
        long retainedUntil = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
        processor.answering(command -> success(command, 200, "application/json", GREETING));
        HttpResponse<String> first = ingress.postJson("/Greeter/greet", "{\"name\":\"Ann\"}", "idempotency-key", "k");
        processor.answering(command -> Reply.result(requestId(command), command.invocationId(),
                Outcome.success(200, "application/json", Payload.ofUtf8(GREETING)), retainedUntil));

        HttpResponse<String> repeat = ingress.postJson("/Greeter/greet", "{\"name\":\"Other\"}", "idempotency-key", "k");

        assertThat(processor.asked()).extracting(asked -> asked.command().invocationId().toString()).hasSize(2).containsOnly(
                InvocationIds.idempotent("Greeter", null, "greet", "k").toString());
        assertThat(first.headers().firstValue("idempotency-expires")).as("the first answer").isEmpty();
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(repeat.body()).isEqualTo(GREETING);
        assertThat(repeat.headers().firstValue("x-restate-id")).isEqualTo(first.headers().firstValue("x-restate-id"));
        assertThat(repeat.headers().firstValue("idempotency-expires")).hasValue(HttpAnswers.expires(retainedUntil));
    }

    @Test
    void aRepeatedSendWithAKeyIsPreviouslyAccepted() {
        processor.answering(command ->
                Reply.of(Reply.Kind.PREVIOUSLY_ACCEPTED, requestId(command), command.invocationId()));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet/send", "{}", "idempotency-key", "k");

        String id = InvocationIds.idempotent("Greeter", null, "greet", "k").toString();
        assertThat(processor.told()).as("a send with a key asks whether it was accepted before").isEmpty();
        assertThat(processor.onlyAsked().command().invocationId()).hasToString(id);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + id + "\",\"status\":\"PreviouslyAccepted\"}");
    }

    @Test
    void preferHandlingStrictAsksTheProcessorToRefuseAChangedRepeat() {
        processor.answering(command -> success(command, 200, "application/json", GREETING));

        ingress.postJson("/Greeter/greet", "{}", "idempotency-key", "k", "prefer", "handling=strict");

        assertThat(((Invoke) processor.onlyAsked().command()).requireSameRequest()).isTrue();
    }

    @Test
    void aKeyOnAWorkflowRunIs400() {
        HttpResponse<String> response = ingress.postJson("/Signup/wf-1/run", "{}", "idempotency-key", "k");

        assertError(response, 400, Targets.KEY_ON_WORKFLOW, "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void aWorkflowRunHasTheIdOfItsWorkflowId() {
        processor.answering(command -> success(command, 200, "application/json", "{}"));

        ingress.postJson("/Signup/wf-1/run", "{}");

        assertThat(processor.onlyAsked().command().invocationId())
                .isEqualTo(InvocationIds.workflowRun("Signup", "wf-1"));
    }

    @Test
    void aCallStillRunningWhenItsWaitPassesIsAnswered202WithTheAttachLocation() {
        processor.answeringNothing();

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{}", "prefer", "wait=0");

        FakeProcessorClient.Asked asked = processor.onlyAsked();
        assertThat(asked.maxWait()).isEqualTo(Duration.ZERO);
        String id = asked.command().invocationId().toString();
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + id + "\",\"status\":\"Running\"}");
        assertThat(response.headers().firstValue("x-restate-id")).hasValue(id);
        assertThat(response.headers().firstValue("location")).hasValue("/restate/invocation/" + id + "/attach");
        assertThat(response.headers().firstValue("preference-applied")).hasValue("wait");
    }

    @Test
    void aWaitThatIsNotWholeSecondsIs400() {
        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{}", "prefer", "wait=1.5");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).startsWith("bad Prefer header");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void anUnknownServiceIs404InRestatesIngressShape() {
        HttpResponse<String> response = ingress.postJson("/NoSuchService/greet", "{}");

        assertError(response, 404,
                "service 'NoSuchService' not found, make sure to register the service before calling it.", "ingress");
        assertThat(processor.asked()).isEmpty();
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void anUnknownHandlerIs404() {
        HttpResponse<String> response = ingress.postJson("/Greeter/nosuch/send", "{}");

        assertError(response, 404, "the service 'Greeter' exists, but the handler 'nosuch' was not found, check that"
                + " the handler exists in the latest registered service version.", "ingress");
    }

    @Test
    void methodsOtherThanPostAndGetAre405() {
        HttpResponse<String> response = ingress.method("PUT", "/Greeter/greet", "{}", "content-type", "application/json");

        assertError(response, 405, "method not allowed", "ingress");
    }

    @Test
    void aGetIsACallWithAnEmptyBody() {
        processor.answering(command -> success(command, 200, "application/json", "{\"greeting\":\"Hello \"}"));

        HttpResponse<String> response = ingress.get("/Greeter/greet");

        Invoke invoke = (Invoke) processor.onlyAsked().command();
        assertThat(invoke.body().isEmpty()).isTrue();
        assertThat(invoke.contentType()).isNull();
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aProcessorThatCannotBeAskedIs503InTheIngressShape() {
        processor.unavailable(new ProcessorUnavailable(503, "the command log cannot be reached"));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{}");

        assertError(response, 503, "the command log cannot be reached", "ingress");
    }

    @Test
    void aPlainSendThatCannotBeAppendedIs503Too() {
        processor.unavailable(new ProcessorUnavailable(503, "the command log cannot be reached"));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet/send", "{}");

        assertError(response, 503, "the command log cannot be reached", "ingress");
    }

    @Test
    void tooManyRequestsWaitingForOneInvocationIs429WithRetryAfter() {
        processor.unavailable(new ProcessorUnavailable(429, "too many requests wait for this invocation"));

        HttpResponse<String> response = ingress.postJson("/Greeter/greet", "{}", "idempotency-key", "busy");

        assertError(response, 429, "too many requests wait for this invocation", "ingress");
        assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    }

    @Test
    void whileFerryIsNotReadyEveryRequestIs503AtOnceButHealthAnswers() {
        ingress.notReady("the command log cannot be reached");

        HttpResponse<String> call = ingress.postJson("/Greeter/greet", "{}");
        HttpResponse<String> health = ingress.get("/restate/health");

        assertError(call, 503, "Ferry cannot take requests now: the command log cannot be reached", "ingress");
        assertThat(call.headers().firstValue("retry-after")).hasValue("1");
        assertThat(processor.asked()).isEmpty();
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void healthListsTheRegisteredServices() {
        HttpResponse<String> response = ingress.get("/restate/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"services\":[\"Counter\",\"Greeter\",\"Signup\"]}");
    }

    @Test
    void openApiIsServedByTheHandlerGiven() {
        HttpResponse<String> response = ingress.get("/openapi");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(IngressUnderTest.OPENAPI_STAND_IN);
    }

    @Test
    void anUnknownRestatePathIs404() {
        assertError(ingress.get("/restate/foo"), 404, "not found", "ingress");
    }

    private static Reply success(Command command, int status, String contentType, String body) {
        return Reply.result(requestId(command), command.invocationId(),
                Outcome.success(status, contentType, Payload.of(body.getBytes(StandardCharsets.UTF_8))), null);
    }

    private static String requestId(Command command) {
        return ((Invoke) command).replyTo().requestId();
    }

    /** Restate's ingress error: {@code {"code":N,"message":M,"source":S}} exactly, and x-restate-error-source. */
    static void assertError(HttpResponse<String> response, int code, String message, String source) {
        String expected = Json.MAPPER.createObjectNode().put("code", code).put("message", message)
                .put("source", source).toString();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        assertThat(response.body()).isEqualTo(expected);
        assertThat(response.headers().firstValue("x-restate-error-source")).hasValue(source);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    }
}
