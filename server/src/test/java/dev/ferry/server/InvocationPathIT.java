package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.example.ExampleService;
import dev.ferry.schemas.InvocationId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The invocation path end to end: HTTP in, Kafka, the processor, a dispatcher, the example service over real
 * HTTP, and the answer back to the caller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvocationPathIT {
    private FerryHarness ferry;
    private ExampleService example;
    private Http ingress;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
        ingress = ferry.ingress();
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void aServiceCallAnswersWithTheHandlersResultAndTheInvocationId() {
        Http.Response response = ingress.postJson("/Greeter/greet", "{\"name\":\"Mary\"}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello Mary\",\"name\":\"Mary\"}");
        assertThat(response.header("content-type")).isEqualTo("application/json");
        String id = response.header("x-restate-id");
        assertThat(id).hasSize(38).startsWith("inv_1");
        assertThat(InvocationId.parse(id).toString()).isEqualTo(id);
    }

    @Test
    void theRestate17UrlFormCallsTheSameHandler() {
        Http.Response response = ingress.postJson("/restate/call/Greeter/greet", "{\"name\":\"New\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("Hello New");
    }

    @Test
    void aSendAnswers202AtOnceAndTheHandlerRunsAfterwards() {
        Http.Response response = ingress.postJson("/Greeter/greet/send", "{\"name\":\"S\",\"tag\":\"send-1\"}");

        assertThat(response.status()).isEqualTo(202);
        String id = response.header("x-restate-id");
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + id + "\",\"status\":\"Accepted\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:send-1") == 1);
    }

    @Test
    void anObjectCallSeesTheStateItsKeysEarlierCallsLeft() {
        assertThat(ingress.postJson("/Counter/path-k1/add", "5").body()).isEqualTo("5");
        assertThat(ingress.postJson("/Counter/path-k1/add", "2").body()).isEqualTo("7");
        Http.Response get = ingress.postJson("/Counter/path-k1/get", "");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("7");
        assertThat(ingress.get("/Counter/path-k1/get").body()).as("GET is a call with an empty body").isEqualTo("7");
    }

    @Test
    void aWorkflowRunAnswersWhenItsSharedHandlerApprovesIt() {
        CompletableFuture<Http.Response> run =
                ingress.postJsonAsync("/Signup/path-wf/run", "{\"email\":\"a@example.com\"}");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingress.postJson("/Signup/path-wf/status", "{}").body().contains("\"waiting\""));

        Http.Response approve = ingress.postJson("/Signup/path-wf/approve", "\"yes\"");
        assertThat(approve.body()).isEqualTo("{\"resolved\":true}");

        Http.Response result = run.join();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.body()).isEqualTo("{\"approved\":\"yes\"}");
    }

    @Test
    void aHandlerThatFailsTwiceWith500IsRetriedUntilItSucceeds() {
        Http.Response response = ingress.postJson("/Greeter/flaky", "{\"id\":\"path-flaky\"}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"attempts\":3");
        assertThat(example.executions("flaky:path-flaky")).isEqualTo(3);
    }

    @Test
    void aTerminalFailureReachesTheCallerWithItsCodeAndMessage() {
        Http.Response response = ingress.postJson("/Greeter/fail", "{\"message\":\"this failed terminally\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body())
                .isEqualTo("{\"code\":400,\"message\":\"this failed terminally\",\"source\":\"invocation\"}");
        assertThat(response.header("x-restate-error-source")).isEqualTo("invocation");
        assertThat(response.header("x-restate-id")).startsWith("inv_1");
    }

    @Test
    void aSlowHandlerHoldsUpNoOtherCall() {
        CompletableFuture<Http.Response> slow = ingress.postJsonAsync("/Greeter/slow", "{\"ms\":3000,\"tag\":\"s1\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:s1") == 1);

        long start = System.nanoTime();
        List<Http.Response> quick = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            quick.add(ingress.postJson("/Greeter/greet", "{\"name\":\"q" + i + "\"}"));
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(quick).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(slow).isNotDone();
        assertThat(elapsedMillis).as("five calls while the slow one runs").isLessThan(2_500);
        assertThat(slow.join().status()).isEqualTo(200);
    }

    @Test
    void aTwentyMegabyteBodyTravelsThroughKafkaAndBack() {
        String big = "{\"pad\":\"" + "x".repeat(20_000_000) + "\"}";
        Http.Response response = ingress.postJson("/Greeter/noop", big);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(big);
    }

    @Test
    void aBodyOverTheLimitIs413() {
        byte[] body = new byte[32 * 1024 * 1024 + 1];
        Http.Response response =
                ingress.postExpectingContinue("/Greeter/noop/send", body, "content-type", "application/json");
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).isEqualTo("length limit exceeded");
    }

    @Test
    void errorsAnswerInRestatesShape() {
        Http.Response unknownService = ingress.postJson("/NoSuchService/greet", "{}");
        assertThat(unknownService.status()).isEqualTo(404);
        assertThat(unknownService.body()).isEqualTo("{\"code\":404,\"message\":\"service 'NoSuchService' not found, "
                + "make sure to register the service before calling it.\",\"source\":\"ingress\"}");
        assertThat(unknownService.header("x-restate-error-source")).isEqualTo("ingress");

        Http.Response unknownHandler = ingress.postJson("/Greeter/nosuchhandler", "{}");
        assertThat(unknownHandler.status()).isEqualTo(404);
        assertThat(unknownHandler.body()).contains("the handler 'nosuchhandler' was not found");

        Http.Response badPath = ingress.postJson("/Greeter/greet/extra", "{}");
        assertThat(badPath.status()).isEqualTo(400);
        assertThat(badPath.body()).contains("bad path, expected either /:service-name/:handler");

        Http.Response root = ingress.postJson("/", "{}");
        assertThat(root.body()).isEqualTo("{\"code\":400,\"message\":\"bad path: /\",\"source\":\"ingress\"}");

        Http.Response put = ingress.method("PUT", "/Greeter/greet", "{}", "content-type", "application/json");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.body()).isEqualTo("{\"code\":405,\"message\":\"method not allowed\",\"source\":\"ingress\"}");

        Http.Response wrongType = ingress.post("/Greeter/greet", "x".getBytes(), "content-type", "text/plain");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.body()).contains("input validation error: Content-type 'text/plain' does not match "
                + "'application/json'");
    }

    @Test
    void theAdminApiListsWhatWasRegistered() {
        Http.Response again = ferry.admin().postJson("/deployments",
                "{\"uri\":\"http://127.0.0.1:" + example.port() + "\"}");
        assertThat(again.status()).as("the same deployment again").isEqualTo(200);
        assertThat(again.body()).contains("\"id\":\"dp_1");

        Http.Response services = ferry.admin().get("/services");
        assertThat(services.body()).contains("\"name\":\"Counter\"", "\"name\":\"Greeter\"", "\"name\":\"Signup\"");

        Http.Response counter = ferry.admin().get("/services/Counter");
        assertThat(counter.body()).contains("\"ty\":\"VirtualObject\"", "\"idempotency_retention\":\"1d\"");

        Http.Response handlers = ferry.admin().get("/services/Counter/handlers");
        assertThat(handlers.body()).contains("\"name\":\"add\",\"ty\":\"Exclusive\"", "\"name\":\"get\",\"ty\":\"Shared\"");

        assertThat(ferry.admin().get("/services/NoSuchService").status()).isEqualTo(404);
        assertThat(ferry.admin().get("/health").status()).isEqualTo(200);
        assertThat(ingress.get("/restate/health").body()).contains("\"Greeter\"");
    }

    @Test
    void registeringAnEndpointWhereNothingListensIsA400ThatSaysSo() {
        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"http://127.0.0.1:1\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("connection refused");
    }

    @Test
    void registeringAManifestInlineNeedsNoDiscoveryEndpoint() {
        Http.Response response = ferry.admin().postJson("/deployments", "{\"uri\":\"http://127.0.0.1:"
                + example.port() + "/inline\",\"manifest\":{\"services\":[{\"name\":\"Inline\",\"ty\":\"SERVICE\","
                + "\"handlers\":[{\"name\":\"hello\"}]}]}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(ferry.admin().get("/services/Inline").status()).isEqualTo(200);
    }
}
