package dev.ferry.ingress;

import static dev.ferry.ingress.InvocationsHttpTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.registry.Registry;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceType;
import dev.ferry.schemas.replies.Reply;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Handlers a manifest marks {@code ingressPrivate} (one handler, or a whole service) cannot be invoked through the
 * ingress, in any URL form: Restate's 400 "the invoked service is not public", and nothing reaches the processor.
 * Their public siblings, and attach and output (which invoke nothing), answer as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateHandlersHttpTest {
    private final IngressUnderTest ingress = new IngressUnderTest(registry());
    private final FakeProcessorClient processor = ingress.processor;

    @BeforeEach
    void reset() {
        ingress.reset();
    }

    @AfterAll
    void stop() {
        ingress.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/Greeter/whisper", "/Greeter/whisper/send", "/Greeter/whisper/send?delay=1s",
            "/restate/call/Greeter/whisper", "/restate/send/Greeter/whisper",
            "/Vault/open", "/Vault/open/send", "/restate/call/Vault/open",
            "/Signup/ann/run", "/Signup/ann/run/send", "/restate/call/Signup/ann/run", "/restate/send/Signup/ann/run"})
    void aPrivateHandlerIs400InEveryFormThatInvokes(String path) {
        HttpResponse<String> response = ingress.postJson(path, "{}");

        assertError(response, 400, InvocationPaths.PRIVATE_HANDLER, "ingress");
        assertThat(processor.asked()).isEmpty();
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void anIdempotencyKeyDoesNotOpenAPrivateHandler() {
        HttpResponse<String> call = ingress.postJson("/Greeter/whisper", "{}", "idempotency-key", "k");
        HttpResponse<String> send = ingress.postJson("/Greeter/whisper/send", "{}", "idempotency-key", "k");

        assertError(call, 400, InvocationPaths.PRIVATE_HANDLER, "ingress");
        assertError(send, 400, InvocationPaths.PRIVATE_HANDLER, "ingress");
        assertThat(processor.asked()).isEmpty();
    }

    @Test
    void aPrivateHandlerIsRefusedBeforeTheMethodIsLookedAt() {
        // Restate's order: the target's visibility, then the method.
        assertError(ingress.get("/Greeter/whisper"), 400, InvocationPaths.PRIVATE_HANDLER, "ingress");
        assertError(ingress.method("PUT", "/Greeter/whisper", "{}"), 400, InvocationPaths.PRIVATE_HANDLER,
                "ingress");
    }

    @Test
    void thePublicHandlersOfAServiceWithAPrivateOneAreCalledAsBefore() {
        processor.answering(command -> Reply.result(((Invoke) command).replyTo().requestId(), command.invocationId(),
                Outcome.success(200, "application/json", Payload.ofUtf8("\"hi\"")), null));

        HttpResponse<String> greet = ingress.postJson("/Greeter/greet", "{}");
        HttpResponse<String> status = ingress.postJson("/Signup/ann/status", "{}");

        assertThat(greet.statusCode()).as(greet.body()).isEqualTo(200);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(processor.asked()).extracting(asked -> ((Invoke) asked.command()).target()).containsExactly(
                Target.service("Greeter", "greet"),
                new Target("Signup", ServiceType.WORKFLOW, "status", HandlerType.SHARED, "ann"));
    }

    @Test
    void theOutputOfAPrivateHandlersInvocationIsStillAskedFor() {
        // Output and attach invoke nothing: they are answered for private handlers as for any other.
        processor.answering(command -> Reply.result(((GetOutput) command).replyTo().requestId(),
                command.invocationId(), Outcome.success(200, "application/json", Payload.ofUtf8("\"psst\"")), null));

        HttpResponse<String> byKey = ingress.get("/restate/invocation/Greeter/whisper/k/output");
        HttpResponse<String> workflow = ingress.get("/restate/workflow/Signup/ann/output");

        assertThat(byKey.statusCode()).as(byKey.body()).isEqualTo(200);
        assertThat(byKey.body()).isEqualTo("\"psst\"");
        assertThat(workflow.statusCode()).as(workflow.body()).isEqualTo(200);
        assertThat(processor.asked()).hasSize(2);
    }

    /**
     * Greeter: a public service with one private handler; Vault: a private service; Signup: a workflow whose run
     * handler is private and whose shared handler is not.
     */
    private static Registry registry() {
        return Registry.EMPTY.with(new Deployment("dp_1" + "0".repeat(22), "http://localhost:9080", 0, 1, List.of(
                service("Greeter", ServiceType.SERVICE, null, handler("greet", null, null),
                        handler("whisper", null, true)),
                service("Vault", ServiceType.SERVICE, true, handler("open", null, null)),
                service("Signup", ServiceType.WORKFLOW, null, handler("run", HandlerType.WORKFLOW, true),
                        handler("status", HandlerType.SHARED, null)))), 0);
    }

    private static ServiceManifest service(String name, ServiceType type, Boolean ingressPrivate,
            HandlerManifest... handlers) {
        return new ServiceManifest(name, null, type, List.of(handlers),
                null, null, null, null, null, null, ingressPrivate, null, null, null, null, null, null);
    }

    private static HandlerManifest handler(String name, HandlerType type, Boolean ingressPrivate) {
        return new HandlerManifest(name, null, type, null, null,
                null, null, null, null, null, null, ingressPrivate, null, null, null, null, null, null);
    }
}
