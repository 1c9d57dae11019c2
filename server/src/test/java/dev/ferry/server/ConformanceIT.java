package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.example.ExampleService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Black-box conformance of Ferry's ingress (port 8080) with Restate's HTTP API
 * (<a href="https://docs.restate.dev/invoke/http">Invoking services over HTTP</a>): calls, sends, delays, idempotency
 * keys, workflows, attach and output, each test named for the case it checks. The expected status, headers and body
 * are those a Restate 1.7.12 server gave for the same request. Ids and dates differ from run to run, so those are
 * checked for their shape (and for being equal where Restate's were equal); everything else is compared exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ConformanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final Pattern INVOCATION_ID = Pattern.compile("inv_1[0-9a-zA-Z]{33}");
    /** Restate writes executionTime with nanoseconds: {@code 2026-11-23T23:26:36.515000000Z}. */
    private static final Pattern DELAYED_ACCEPTED = Pattern.compile(
            "\\{\"invocationId\":\"(inv_1[0-9a-zA-Z]{33})\",\"executionTime\":\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}"
                    + ":\\d{2}\\.\\d{9}Z)\",\"status\":\"Accepted\"}");
    /** Restate writes idempotency-expires with milliseconds and an offset: {@code 2026-11-24T23:26:57.701+00:00}. */
    private static final Pattern EXPIRES =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+00:00");

    private static final String BAD_PATH =
            "bad path, expected either /:service-name/:handler or /:object-name/:object-key/:handler";
    private static final String BAD_INVOCATION_PATH = "bad path, expected either /restate/invocation/:invocation_id/"
            + "output or /restate/invocation/:invocation_id/attach or /restate/invocation/:invocation_target/"
            + ":idempotency_key/output or /restate/invocation/:invocation_target/:idempotency_key/attach";
    private static final String BAD_WORKFLOW_PATH = "bad path, expected either /restate/workflow/:workflow_name/"
            + ":workflow_key/output or /restate/workflow/:workflow_name/:workflow_key/attach";
    private static final String BAD_RESTATE_PATH = "bad path, expected /restate/call/:service/:handler, "
            + "/restate/send/:service/:handler, /restate/scope/:scope/call/:service/:handler, "
            + "/restate/attach/:invocation_id, /restate/output/:invocation_id, or /restate/lookup";
    private static final String NOT_READY = "the invocation exists but has not completed yet";
    private static final String WORKFLOW_ALREADY_INVOKED = "the workflow method was already invoked";
    private static final String DELAY_ON_CALL =
            "cannot use the delay query parameter with calls. The delay is supported only with sends";
    private static final String KEY_ON_WORKFLOW = "cannot use the idempotency key with workflow handlers. "
            + "The handler invocation will already be idempotent by the workflow key itself.";

    private FerryHarness ferry;
    private ExampleService example;
    private Http ingress;
    private final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().start();
        example = ferry.registerExample();
        ingress = ferry.ingress();
    }

    @AfterAll
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Nested
    class Calls {
        @Test
        void aServiceCallAnswers200WithTheHandlersOutputAndAnInvocationId() {
            Http.Response response = ingress.post("/Greeter/greet", "{\"name\":\"Ann\",\"extra\":1}".getBytes(),
                    "content-type", "application/json");

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello Ann\",\"name\":\"Ann\",\"extra\":1}");
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertInvocationId(response);
            assertThat(response.header("idempotency-expires")).isNull();
        }

        @Test
        void aCallWithAcceptJsonAnswersTheSame() {
            String name = unique("Bob");
            Http.Response response = ingress.postJson("/Greeter/greet", "{\"name\":\"" + name + "\"}",
                    "accept", "application/json");

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello " + name + "\",\"name\":\"" + name + "\"}");
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertInvocationId(response);
            assertThat(example.executions("greet:" + name)).isEqualTo(1);
        }

        @Test
        void noopEchoesAStringANumberNullAndAnArray() {
            for (String input : new String[] {"\"just a string\"", "42", "null", "[1,2,{\"a\":true}]"}) {
                Http.Response response = ingress.postJson("/Greeter/noop", input);
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(input);
                assertThat(response.header("content-type")).isEqualTo("application/json");
                assertInvocationId(response);
            }
        }

        @Test
        void anObjectCallKeepsStatePerKeyAndItsSharedHandlerAnswersToPostAndGet() {
            String key = unique("k1");
            Http.Response five = ingress.postJson("/Counter/" + key + "/add", "5");
            assertThat(five.status()).as(five.toString()).isEqualTo(200);
            assertThat(five.body()).isEqualTo("5");
            assertThat(five.header("content-type")).isEqualTo("application/json");
            assertInvocationId(five);

            Http.Response seven = ingress.postJson("/Counter/" + key + "/add", "2");
            assertThat(seven.status()).as(seven.toString()).isEqualTo(200);
            assertThat(seven.body()).isEqualTo("7");

            Http.Response postGet = ingress.method("POST", "/Counter/" + key + "/get", null);
            assertThat(postGet.status()).as(postGet.toString()).isEqualTo(200);
            assertThat(postGet.body()).isEqualTo("7");
            assertInvocationId(postGet);

            Http.Response getGet = ingress.get("/Counter/" + key + "/get");
            assertThat(getGet.status()).as(getGet.toString()).isEqualTo(200);
            assertThat(getGet.body()).isEqualTo("7");
            assertThat(getGet.header("content-type")).isEqualTo("application/json");
            assertInvocationId(getGet);

            assertThat(example.executions("add:" + key)).isEqualTo(2);
            assertThat(example.executions("get:" + key)).isEqualTo(2);
        }

        @Test
        void aWorkflowRunBlocksUntilItsPromiseIsResolvedByASharedHandler() {
            String id = unique("wf-a");
            CompletableFuture<Http.Response> run =
                    ingress.postJsonAsync("/Signup/" + id + "/run", "{\"email\":\"a@example.com\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> ingress.postJson("/Signup/" + id + "/status", "{}")
                    .body().equals("{\"input\":{\"email\":\"a@example.com\"},\"status\":\"waiting\"}"));

            Http.Response status = ingress.method("POST", "/Signup/" + id + "/status", null);
            assertThat(status.status()).as(status.toString()).isEqualTo(200);
            assertThat(status.body()).isEqualTo("{\"input\":{\"email\":\"a@example.com\"},\"status\":\"waiting\"}");
            assertInvocationId(status);
            assertThat(run).isNotDone();

            Http.Response approve = ingress.postJson("/Signup/" + id + "/approve", "\"yes\"");
            assertThat(approve.status()).as(approve.toString()).isEqualTo(200);
            assertThat(approve.body()).isEqualTo("{\"resolved\":true}");
            assertInvocationId(approve);

            Http.Response result = run.join();
            assertThat(result.status()).as(result.toString()).isEqualTo(200);
            assertThat(result.body()).isEqualTo("{\"approved\":\"yes\"}");
            assertThat(result.header("content-type")).isEqualTo("application/json");
            assertInvocationId(result);

            Http.Response done = ingress.postJson("/Signup/" + id + "/status", "{}");
            assertThat(done.body()).isEqualTo("{\"input\":{\"email\":\"a@example.com\"},\"status\":\"done\"}");
            assertThat(example.executions("run:" + id)).isEqualTo(1);
        }

        @Test
        void getOnAHandlerUrlIsACallWithAnEmptyBody() {
            // A GET on a handler URL is a call with an empty body, on /restate/call too.
            Http.Response classic = ingress.get("/Greeter/greet");
            assertThat(classic.status()).as(classic.toString()).isEqualTo(200);
            assertThat(classic.body()).isEqualTo("{\"greeting\":\"Hello \"}");
            assertThat(classic.header("content-type")).isEqualTo("application/json");
            assertInvocationId(classic);

            Http.Response newForm = ingress.get("/restate/call/Greeter/greet");
            assertThat(newForm.status()).as(newForm.toString()).isEqualTo(200);
            assertThat(newForm.body()).isEqualTo("{\"greeting\":\"Hello \"}");
            assertInvocationId(newForm);
        }

        @Test
        void putDeletePatchAndHeadOnAHandlerAre405() {
            assertError(ingress.method("PUT", "/Greeter/greet", "{\"name\":\"put\"}", "content-type",
                    "application/json"), 405, "method not allowed", "ingress");
            assertError(ingress.method("DELETE", "/Greeter/greet", null), 405, "method not allowed", "ingress");
            assertError(ingress.method("PATCH", "/Greeter/greet", "{\"name\":\"patch\"}", "content-type",
                    "application/json"), 405, "method not allowed", "ingress");

            Http.Response head = ingress.method("HEAD", "/Greeter/greet", null);
            assertThat(head.status()).as(head.toString()).isEqualTo(405);
            assertThat(head.header("x-restate-error-source")).isEqualTo("ingress");
            assertThat(head.header("content-type")).isEqualTo("application/json");
            assertThat(head.body()).isEmpty();
        }

        @Test
        void aCallWithoutABodyGetsAnEmptyInputAndAnEmptyOutputHasNoContentType() {
            String key = unique("k-empty");
            SoftAssertions.assertSoftly(softly -> {
                Http.Response greet = ingress.method("POST", "/Greeter/greet", null);
                softly.assertThat(greet.status()).as(greet.toString()).isEqualTo(200);
                softly.assertThat(greet.body()).isEqualTo("{\"greeting\":\"Hello \"}");

                Http.Response greetJson =
                        ingress.method("POST", "/Greeter/greet", null, "content-type", "application/json");
                softly.assertThat(greetJson.status()).as("content-type JSON, no body: " + greetJson).isEqualTo(200);
                softly.assertThat(greetJson.body()).isEqualTo("{\"greeting\":\"Hello \"}");

                Http.Response noop = ingress.method("POST", "/Greeter/noop", null);
                softly.assertThat(noop.status()).as(noop.toString()).isEqualTo(200);
                softly.assertThat(noop.body()).isEmpty();
                softly.assertThat(noop.header("content-type")).as("no content-type for an empty output").isNull();
                softly.check(() -> assertInvocationId(noop));

                Http.Response add = ingress.method("POST", "/Counter/" + key + "/add", null);
                softly.assertThat(add.status()).as(add.toString()).isEqualTo(200);
                softly.assertThat(add.body()).isEqualTo("0");
            });
        }
    }

    @Nested
    class Sends {
        @Test
        void aSendAnswers202AcceptedWithTheInvocationIdAndTheHandlerRunsAfterwards() {
            String tag = unique("send-1");
            Http.Response response =
                    ingress.postJson("/Greeter/greet/send", "{\"name\":\"Sendy\",\"tag\":\"" + tag + "\"}");

            String id = assertAccepted(response, "Accepted");
            assertThat(response.header("idempotency-expires")).isNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:" + tag) == 1);
            assertThat(ingress.get("/restate/invocation/" + id + "/attach").body())
                    .isEqualTo("{\"greeting\":\"Hello Sendy\",\"name\":\"Sendy\",\"tag\":\"" + tag + "\"}");
        }

        @Test
        void aSendToAnObjectAnswers202AndItsStateChanges() {
            String key = unique("k-send");
            assertAccepted(ingress.postJson("/Counter/" + key + "/add/send", "3"), "Accepted");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ingress.method("POST", "/Counter/" + key + "/get", null).body().equals("3"));
            assertThat(example.executions("add:" + key)).isEqualTo(1);
        }

        @Test
        void aSendToAWorkflowRunAnswers202AndTheRunStarts() {
            String id = unique("wf-send");
            assertAccepted(ingress.postJson("/Signup/" + id + "/run/send", "{\"email\":\"s@example.com\"}"),
                    "Accepted");

            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + id) == 1);
            ingress.postJson("/Signup/" + id + "/approve", "\"ok\"");
        }

        @Test
        void getOnASendUrlIsASendWithAnEmptyBody() {
            // A GET on .../send is a send with an empty body.
            assertAccepted(ingress.get("/Greeter/greet/send"), "Accepted");
        }

        @Test
        void unknownQueryParametersAreIgnored() {
            String tag = unique("q");
            Http.Response response =
                    ingress.postJson("/Greeter/greet/send?foo=bar", "{\"name\":\"q\",\"tag\":\"" + tag + "\"}");
            assertAccepted(response, "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:" + tag) == 1);
        }
    }

    @Nested
    class Delays {
        @Test
        void humantimeOneSecondDelaysTheHandler() {
            // Restate answers ?delay=10s alike; 1s keeps the test short.
            assertDelayedSendRunsAfter("1s", Duration.ofSeconds(1));
        }

        @Test
        void humantime500msDelaysTheHandler() {
            // A duration with a unit: 500ms.
            assertDelayedSendRunsAfter("500ms", Duration.ofMillis(500));
        }

        @Test
        void iso8601PT1SDelaysTheHandler() {
            // An ISO 8601 duration: PT10S in Restate, PT1S here to keep the test short.
            assertDelayedSendRunsAfter("PT1S", Duration.ofSeconds(1));
        }

        @Test
        void iso8601FractionalPT05SDelaysTheHandler() {
            // An ISO 8601 duration with a fraction: PT0.5S.
            assertDelayedSendRunsAfter("PT0.5S", Duration.ofMillis(500));
        }

        @Test
        void humantimeOneMinuteIsScheduledAMinuteAhead() {
            // A minute, with and without a space before the unit: 1m, "1 m".
            for (String delay : new String[] {"1m", "1%20m"}) {
                Instant before = Instant.now();
                Http.Response response = ingress.postJson("/Greeter/noop/send?delay=" + delay, "\"x\"");
                Instant after = Instant.now();
                assertExecutionTimeAbout(assertDelayedAccepted(response), before, after, Duration.ofMinutes(1));
            }
        }

        @Test
        void iso8601OneDayIsScheduledADayAhead() {
            // An ISO 8601 duration in days: P1D.
            Instant before = Instant.now();
            Http.Response response = ingress.postJson("/Greeter/noop/send?delay=P1D", "\"x\"");
            Instant after = Instant.now();
            assertExecutionTimeAbout(assertDelayedAccepted(response), before, after, Duration.ofDays(1));
        }

        @Test
        void aZeroDelayStillAnswersWithAnExecutionTimeAndRunsAtOnce() {
            // A zero delay, with and without a unit: 0s, 0.
            for (String delay : new String[] {"0s", "0"}) {
                String tag = unique("delay-zero");
                Instant before = Instant.now();
                Http.Response response = ingress.postJson("/Greeter/greet/send?delay=" + delay,
                        "{\"name\":\"Z\",\"tag\":\"" + tag + "\"}");
                Instant after = Instant.now();
                assertExecutionTimeAbout(assertDelayedAccepted(response), before, after, Duration.ZERO);
                await().atMost(Duration.ofSeconds(5)).until(() -> example.executions("greet:" + tag) == 1);
            }
        }

        @Test
        void aGarbageDelayIs400() {
            // A delay that is not a duration.
            assertError(ingress.postJson("/Greeter/greet/send?delay=garbage", "{\"name\":\"x\"}"), 400,
                    "bad delay query parameter, must be a ISO8601 duration: failed to parse input in the \"friendly\" "
                            + "duration format: expected duration to start with a unit value (a decimal integer) after "
                            + "an optional sign, but no integer was found", "ingress");
        }

        @Test
        void anEmptyDelayIs400() {
            // An empty delay.
            assertError(ingress.postJson("/Greeter/greet/send?delay=", "{\"name\":\"x\"}"), 400,
                    "bad delay query parameter, must be a ISO8601 duration: an empty string is not a valid duration "
                            + "in either the ISO 8601 format or Jiff's \"friendly\" format", "ingress");
        }

        @Test
        void aNegativeDelayIs400() {
            // A negative delay.
            assertError(ingress.postJson("/Greeter/greet/send?delay=-5s", "{\"name\":\"x\"}"), 400,
                    "bad delay query parameter, must be a ISO8601 duration: negative signed durations cannot be "
                            + "converted to an unsigned duration", "ingress");
        }

        @Test
        void aDelayOnACallIs400() {
            // A delay on a call, also on /restate/call?delay=1s.
            String tag = unique("delay-call");
            assertError(ingress.postJson("/Greeter/greet?delay=1s", "{\"name\":\"x\",\"tag\":\"" + tag + "\"}"), 400,
                    DELAY_ON_CALL, "ingress");
            assertError(ingress.postJson("/restate/call/Greeter/greet?delay=1s", "{\"name\":\"x\",\"tag\":\"" + tag
                    + "\"}"), 400, DELAY_ON_CALL, "ingress");
            assertThat(example.executions("greet:" + tag)).isZero();
        }

        @Test
        void aDelayedWorkflowRunIsAcceptedAndStartsAfterTheDelay() {
            // Restate answers a 10s delay alike; 1s keeps the test short.
            String id = unique("wf-delay");
            long start = System.nanoTime();
            Instant before = Instant.now();
            Http.Response response =
                    ingress.postJson("/Signup/" + id + "/run/send?delay=1s", "{\"email\":\"d@example.com\"}");
            Instant after = Instant.now();
            Instant executionTime = assertDelayedAccepted(response);
            assertExecutionTimeAbout(executionTime, before, after, Duration.ofSeconds(1));

            long startedAfter = awaitFirstExecution("run:" + id, start, executionTime, Duration.ofSeconds(6));
            assertThat(startedAfter).as("run started after the delay").isBetween(1_000L, 3_000L - 1);
            assertThat(Instant.now()).isAfterOrEqualTo(executionTime);
            ingress.postJson("/Signup/" + id + "/approve", "\"ok\"");
        }

        @Test
        void aDelayedSendToAWorkflowsSharedHandlerIsAccepted() {
            String id = unique("wf-shared-delay");
            long start = System.nanoTime();
            Instant before = Instant.now();
            Http.Response response = ingress.postJson("/Signup/" + id + "/status/send?delay=1s", "{}");
            Instant after = Instant.now();
            Instant executionTime = assertDelayedAccepted(response);
            assertExecutionTimeAbout(executionTime, before, after, Duration.ofSeconds(1));

            long startedAfter = awaitFirstExecution("status:" + id, start, executionTime, Duration.ofSeconds(6));
            assertThat(startedAfter).as("shared handler started after the delay").isBetween(1_000L, 3_000L - 1);
        }

        @Test
        void theRestateSendFormTakesADelay() {
            // A delayed send through /restate/send?delay=1s.
            String tag = unique("new-delay");
            long start = System.nanoTime();
            Instant before = Instant.now();
            Http.Response response = ingress.postJson("/restate/send/Greeter/greet?delay=1s",
                    "{\"name\":\"NewStyleDelayed\",\"tag\":\"" + tag + "\"}");
            Instant after = Instant.now();
            Instant executionTime = assertDelayedAccepted(response);
            assertExecutionTimeAbout(executionTime, before, after, Duration.ofSeconds(1));

            long startedAfter = awaitFirstExecution("greet:" + tag, start, executionTime, Duration.ofSeconds(6));
            assertThat(startedAfter).isBetween(1_000L, 3_000L - 1);
        }

        private void assertDelayedSendRunsAfter(String delay, Duration expected) {
            String tag = unique("delay");
            long start = System.nanoTime();
            Instant before = Instant.now();
            Http.Response response = ingress.postJson("/Greeter/greet/send?delay=" + delay,
                    "{\"name\":\"D\",\"tag\":\"" + tag + "\"}");
            Instant after = Instant.now();
            Instant executionTime = assertDelayedAccepted(response);
            assertExecutionTimeAbout(executionTime, before, after, expected);

            long startedAfter = awaitFirstExecution("greet:" + tag, start, executionTime, expected.plusSeconds(5));
            assertThat(startedAfter).as("handler of a %s delay started after (ms)", delay)
                    .isGreaterThanOrEqualTo(expected.toMillis())
                    .isLessThan(expected.toMillis() + 2_000);
            assertThat(Instant.now()).isAfterOrEqualTo(executionTime);
            assertThat(example.executions("greet:" + tag)).isEqualTo(1);
        }
    }

    @Nested
    class IdempotencyKeys {
        @Test
        void aRepeatedCallReturnsTheSameResultAndIdWithoutRunningTheHandlerAgain() {
            String key = unique("idem-1");
            String body = "{\"name\":\"Idem\",\"tag\":\"" + key + "\"}";
            String expected = "{\"greeting\":\"Hello Idem\",\"name\":\"Idem\",\"tag\":\"" + key + "\"}";
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
            Instant completed = Instant.now();
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.body()).isEqualTo(expected);
            assertThat(first.header("idempotency-expires")).as("first answer").isNull();
            String id = assertInvocationId(first);

            Http.Response second = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
            assertThat(second.status()).as(second.toString()).isEqualTo(200);
            assertThat(second.body()).isEqualTo(expected);
            assertThat(second.header("content-type")).isEqualTo("application/json");
            assertThat(second.header("x-restate-id")).isEqualTo(id);
            assertExpires(second, before, completed);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }

        @Test
        void aRepeatWithADifferentBodyReturnsTheFirstResult() {
            String key = unique("idem-2");
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Greeter/greet", "{\"name\":\"Idem\",\"tag\":\"" + key + "\"}",
                    "idempotency-key", key);
            Instant completed = Instant.now();
            assertThat(first.status()).as(first.toString()).isEqualTo(200);

            Http.Response other = ingress.postJson("/Greeter/greet",
                    "{\"name\":\"Different\",\"tag\":\"" + key + "-other\"}", "idempotency-key", key);
            assertThat(other.status()).as(other.toString()).isEqualTo(200);
            assertThat(other.body())
                    .isEqualTo("{\"greeting\":\"Hello Idem\",\"name\":\"Idem\",\"tag\":\"" + key + "\"}");
            assertThat(other.header("x-restate-id")).isEqualTo(first.header("x-restate-id"));
            assertExpires(other, before, completed);
            assertThat(example.executions("greet:" + key + "-other")).isZero();
        }

        @Test
        void aKeyIsScopedToItsHandler() {
            String key = unique("idem-3");
            Http.Response greet = ingress.postJson("/Greeter/greet", "{\"name\":\"Idem\",\"tag\":\"" + key + "\"}",
                    "idempotency-key", key);
            Http.Response noop = ingress.postJson("/Greeter/noop", "\"noop-with-" + key + "\"", "idempotency-key", key);

            assertThat(noop.status()).as(noop.toString()).isEqualTo(200);
            assertThat(noop.body()).isEqualTo("\"noop-with-" + key + "\"");
            assertThat(noop.header("idempotency-expires")).isNull();
            assertThat(assertInvocationId(noop)).isNotEqualTo(assertInvocationId(greet));
        }

        @Test
        void aRepeatedSendIsPreviouslyAcceptedWithTheSameId() {
            String key = unique("idem-send");
            String body = "{\"name\":\"S\",\"tag\":\"" + key + "\"}";
            String id = assertAccepted(ingress.postJson("/Greeter/greet/send", body, "idempotency-key", key),
                    "Accepted");

            Http.Response again = ingress.postJson("/Greeter/greet/send", body, "idempotency-key", key);
            assertThat(assertAccepted(again, "PreviouslyAccepted")).isEqualTo(id);
            assertThat(again.header("idempotency-expires")).isNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:" + key) == 1);
        }

        @Test
        void aCallAfterASendWithTheSameKeyReturnsTheSentInvocationsResult() {
            String key = unique("idem-send-call");
            String body = "{\"name\":\"S\",\"tag\":\"" + key + "\"}";
            Instant before = Instant.now();
            String id = assertAccepted(ingress.postJson("/Greeter/greet/send", body, "idempotency-key", key),
                    "Accepted");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ingress.get("/restate/invocation/Greeter/greet/" + key + "/output").status() == 200);
            Instant completed = Instant.now();

            Http.Response call = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
            assertThat(call.status()).as(call.toString()).isEqualTo(200);
            assertThat(call.body()).isEqualTo("{\"greeting\":\"Hello S\",\"name\":\"S\",\"tag\":\"" + key + "\"}");
            assertThat(call.header("x-restate-id")).isEqualTo(id);
            assertExpires(call, before, completed);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }

        @Test
        void aSendAfterACompletedCallWithTheSameKeyIsPreviouslyAccepted() {
            String key = unique("idem-call-send");
            String body = "{\"name\":\"Idem\",\"tag\":\"" + key + "\"}";
            Http.Response call = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
            String id = assertInvocationId(call);

            Http.Response send = ingress.postJson("/Greeter/greet/send", body, "idempotency-key", key);
            assertThat(assertAccepted(send, "PreviouslyAccepted")).isEqualTo(id);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }

        @Test
        void aRepeatWhileTheFirstIsRunningWaitsForItAndGetsTheSameResult() {
            String key = unique("idem-slow");
            String body = "{\"ms\":2000,\"tag\":\"" + key + "\"}";
            CompletableFuture<Http.Response> first =
                    ingress.postJsonAsync("/Greeter/slow", body, "idempotency-key", key);
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + key) == 1);

            Http.Response second = ingress.postJson("/Greeter/slow", body, "idempotency-key", key);
            await().atMost(Duration.ofSeconds(2)).alias("the first caller is answered when the one run ends")
                    .until(first::isDone);
            Http.Response firstResponse = first.join();
            String expected = "{\"slept\":2000,\"tag\":\"" + key + "\"}";
            for (Http.Response response : new Http.Response[] {firstResponse, second}) {
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(expected);
                assertThat(response.header("content-type")).isEqualTo("application/json");
                assertThat(response.header("idempotency-expires")).as("waited for the run").isNull();
            }
            assertThat(second.header("x-restate-id")).isEqualTo(assertInvocationId(firstResponse));
            assertThat(example.executions("slow:" + key)).isEqualTo(1);
        }

        @Test
        void onObjectsAKeyIsScopedByTheObjectKey() {
            String key = unique("idem-c");
            String objectKey = unique("k2");
            String otherObjectKey = unique("k3");
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Counter/" + objectKey + "/add", "10", "idempotency-key", key);
            Instant completed = Instant.now();
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("10");
            assertThat(first.header("idempotency-expires")).isNull();

            Http.Response again = ingress.postJson("/Counter/" + objectKey + "/add", "10", "idempotency-key", key);
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.body()).isEqualTo("10");
            assertThat(again.header("x-restate-id")).isEqualTo(assertInvocationId(first));
            assertExpires(again, before, completed);

            assertThat(ingress.method("POST", "/Counter/" + objectKey + "/get", null).body()).isEqualTo("10");

            Http.Response other = ingress.postJson("/Counter/" + otherObjectKey + "/add", "1", "idempotency-key", key);
            assertThat(other.status()).as(other.toString()).isEqualTo(200);
            assertThat(other.body()).isEqualTo("1");
            assertThat(other.header("idempotency-expires")).isNull();
            assertThat(assertInvocationId(other)).isNotEqualTo(first.header("x-restate-id"));
            assertThat(example.executions("add:" + objectKey)).isEqualTo(1);
            assertThat(example.executions("add:" + otherObjectKey)).isEqualTo(1);
        }

        @Test
        void anEmptyKeyIsAKey() {
            // An empty idempotency key (the JDK client sends "idempotency-key: " with an empty value, as
            // curl -H 'idempotency-key;' does).
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Greeter/greet", "{\"name\":\"empty-key\"}", "idempotency-key", "");
            Instant completed = Instant.now();
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("{\"greeting\":\"Hello empty-key\",\"name\":\"empty-key\"}");
            assertThat(first.header("idempotency-expires")).isNull();

            Http.Response second =
                    ingress.postJson("/Greeter/greet", "{\"name\":\"empty-key-2\"}", "idempotency-key", "");
            assertThat(second.status()).as(second.toString()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("{\"greeting\":\"Hello empty-key\",\"name\":\"empty-key\"}");
            assertThat(second.header("x-restate-id")).isEqualTo(assertInvocationId(first));
            assertExpires(second, before, completed);
            assertThat(example.executions("greet:empty-key-2")).isZero();
        }

        @Test
        void keysOf1000And10000And60000CharactersWork() {
            String prefix = unique("long");
            for (int length : new int[] {1_000, 10_000, 60_000}) {
                String key = prefix + "k".repeat(length - prefix.length());
                String name = prefix + "-" + length;
                Http.Response response = ingress.postJson("/Greeter/greet", "{\"name\":\"" + name + "\"}",
                        "idempotency-key", key);
                assertThat(response.status()).as("key of %d chars: %s", length, response).isEqualTo(200);
                assertThat(response.body())
                        .isEqualTo("{\"greeting\":\"Hello " + name + "\",\"name\":\"" + name + "\"}");
                assertInvocationId(response);
            }
        }

        @Test
        void keysWithSpecialCharactersWork() {
            String key = "a/b?c d#e-" + unique("special");
            Http.Response response = ingress.postJson("/Greeter/greet",
                    "{\"name\":\"special\",\"tag\":\"" + key + "\"}", "idempotency-key", key);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body())
                    .isEqualTo("{\"greeting\":\"Hello special\",\"name\":\"special\",\"tag\":\"" + key + "\"}");
            String id = assertInvocationId(response);

            Http.Response again = ingress.postJson("/Greeter/greet", "{\"name\":\"special\",\"tag\":\"" + key + "\"}",
                    "idempotency-key", key);
            assertThat(again.header("x-restate-id")).isEqualTo(id);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }

        @Test
        void aKeyOnAWorkflowRunIs400() {
            // A workflow run sent twice, and a call of run after a send.
            String id = unique("wf-idem");
            for (int i = 0; i < 2; i++) {
                assertError(ingress.postJson("/Signup/" + id + "/run/send", "{\"email\":\"i@example.com\"}",
                        "idempotency-key", "wf-key"), 400, KEY_ON_WORKFLOW, "ingress");
            }
            assertError(ingress.postJson("/Signup/" + id + "/run", "{\"email\":\"i@example.com\"}",
                    "idempotency-key", "wf-key"), 400, KEY_ON_WORKFLOW, "ingress");
            assertThat(example.executions("run:" + id)).isZero();
        }

        @Test
        void aCallWithTheKeyOfADelayedSendWaitsForTheDelayedRun() {
            String key = unique("idem-delayed");
            String body = "{\"name\":\"Later\",\"tag\":\"" + key + "\"}";
            long start = System.nanoTime();
            Http.Response send = ingress.postJson("/Greeter/greet/send?delay=2s", body, "idempotency-key", key);
            Instant executionTime = assertDelayedAccepted(send);

            Http.Response call = ingress.postJson("/Greeter/greet", body, "idempotency-key", key);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertThat(call.status()).as(call.toString()).isEqualTo(200);
            assertThat(call.body())
                    .isEqualTo("{\"greeting\":\"Hello Later\",\"name\":\"Later\",\"tag\":\"" + key + "\"}");
            assertThat(call.header("x-restate-id")).isEqualTo(send.header("x-restate-id"));
            assertThat(call.header("idempotency-expires")).as("waited for the run").isNull();
            assertThat(elapsed).as("the call waited for the delayed run").isBetween(2_000L, 4_000L);
            assertStartedAt(example.firstStart("greet:" + key), executionTime);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }

        @Test
        void keysAreSharedBetweenTheClassicAndTheRestateCallForms() {
            String key = unique("idem-k2");
            Instant before = Instant.now();
            Http.Response classic = ingress.postJson("/Greeter/greet", "{\"name\":\"Idem\",\"tag\":\"" + key + "\"}",
                    "idempotency-key", key);
            Instant completed = Instant.now();

            Http.Response newForm = ingress.postJson("/restate/call/Greeter/greet", "{\"name\":\"Other\"}",
                    "idempotency-key", key);
            assertThat(newForm.status()).as(newForm.toString()).isEqualTo(200);
            assertThat(newForm.body()).isEqualTo(classic.body());
            assertThat(newForm.header("x-restate-id")).isEqualTo(assertInvocationId(classic));
            assertExpires(newForm, before, completed);
        }

        @Test
        void aWorkflowsSharedHandlerAcceptsAKeyAndDeduplicates() {
            // A workflow's shared handlers accept idempotency keys and deduplicate, as other handlers do.
            String id = unique("wf-shared-key");
            Http.Response first = ingress.postJson("/Signup/" + id + "/approve", "\"once\"", "idempotency-key", "k");
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("{\"resolved\":true}");
            Http.Response again = ingress.postJson("/Signup/" + id + "/approve", "\"once\"", "idempotency-key", "k");
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.header("x-restate-id")).isEqualTo(assertInvocationId(first));
            assertThat(again.header("idempotency-expires")).isNotNull();
            assertThat(example.executions("approve:" + id)).isEqualTo(1);
        }
    }

    @Nested
    class Workflows {
        @Test
        void aSecondRunCallWhileRunningAndAfterItEndsIs409WithTheFirstRunsId() {
            String id = unique("wf-d1");
            CompletableFuture<Http.Response> first =
                    ingress.postJsonAsync("/Signup/" + id + "/run", "{\"email\":\"first@example.com\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + id) == 1);

            CompletableFuture<Http.Response> second =
                    ingress.postJsonAsync("/Signup/" + id + "/run", "{\"email\":\"second@example.com\"}");
            await().atMost(Duration.ofSeconds(5)).alias("the second run call is answered while the first runs")
                    .until(second::isDone);
            assertThat(first).isNotDone();

            Http.Response approve = ingress.postJson("/Signup/" + id + "/approve", "\"ok-d1\"");
            assertThat(approve.body()).isEqualTo("{\"resolved\":true}");
            Http.Response firstResponse = first.join();
            assertThat(firstResponse.status()).as(firstResponse.toString()).isEqualTo(200);
            assertThat(firstResponse.body()).isEqualTo("{\"approved\":\"ok-d1\"}");
            String runId = assertInvocationId(firstResponse);

            Http.Response during = second.join();
            assertError(during, 409, WORKFLOW_ALREADY_INVOKED, "invocation");
            assertThat(during.header("x-restate-id")).isEqualTo(runId);

            assertThat(ingress.postJson("/Signup/" + id + "/status", "{}").body())
                    .isEqualTo("{\"input\":{\"email\":\"first@example.com\"},\"status\":\"done\"}");

            Http.Response after = ingress.postJson("/Signup/" + id + "/run", "{\"email\":\"third@example.com\"}");
            assertError(after, 409, WORKFLOW_ALREADY_INVOKED, "invocation");
            assertThat(after.header("x-restate-id")).isEqualTo(runId);
            assertThat(after.header("idempotency-expires")).isNull();
            assertThat(example.executions("run:" + id)).isEqualTo(1);
        }

        @Test
        void aRunSentTwiceIsPreviouslyAcceptedAndACallWhileItRunsIs409AndASendAfterItEndsIsPreviouslyAccepted() {
            String id = unique("wf-d2");
            String runId = assertAccepted(ingress.postJson("/Signup/" + id + "/run/send",
                    "{\"email\":\"d2@example.com\"}"), "Accepted");

            Http.Response again =
                    ingress.postJson("/Signup/" + id + "/run/send", "{\"email\":\"d2-again@example.com\"}");
            assertThat(assertAccepted(again, "PreviouslyAccepted")).isEqualTo(runId);

            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + id) == 1);
            CompletableFuture<Http.Response> call =
                    ingress.postJsonAsync("/Signup/" + id + "/run", "{\"email\":\"d2-call@example.com\"}");
            await().atMost(Duration.ofSeconds(5)).alias("d4: answered at once, not after the run").until(call::isDone);
            Http.Response during = call.join();
            assertError(during, 409, WORKFLOW_ALREADY_INVOKED, "invocation");
            assertThat(during.header("x-restate-id")).isEqualTo(runId);

            assertThat(ingress.postJson("/Signup/" + id + "/approve", "\"ok-d2\"").body())
                    .isEqualTo("{\"resolved\":true}");
            Http.Response done = ingress.get("/restate/workflow/Signup/" + id + "/attach");
            assertThat(done.body()).isEqualTo("{\"approved\":\"ok-d2\"}");

            Http.Response late = ingress.postJson("/Signup/" + id + "/run/send", "{\"email\":\"d2-late@example.com\"}");
            assertThat(assertAccepted(late, "PreviouslyAccepted")).isEqualTo(runId);
            assertThat(example.executions("run:" + id)).isEqualTo(1);
            assertThat(ingress.postJson("/Signup/" + id + "/status", "{}").body())
                    .isEqualTo("{\"input\":{\"email\":\"d2@example.com\"},\"status\":\"done\"}");
        }

        @Test
        void aSharedHandlerAnswersOnAWorkflowIdThatWasNeverSubmitted() {
            String id = unique("never-submitted");
            Http.Response response = ingress.postJson("/Signup/" + id + "/status", "{}");
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"input\":null,\"status\":null}");
            assertInvocationId(response);
        }

        @Test
        void aPromiseResolvedBeforeTheRunIsSeenByTheRun() {
            String id = unique("wf-d7");
            Http.Response approve = ingress.postJson("/Signup/" + id + "/approve", "\"pre-approved\"");
            assertThat(approve.status()).as(approve.toString()).isEqualTo(200);
            assertThat(approve.body()).isEqualTo("{\"resolved\":true}");

            Http.Response run = ingress.postJson("/Signup/" + id + "/run", "{\"email\":\"d7@example.com\"}");
            assertThat(run.status()).as(run.toString()).isEqualTo(200);
            assertThat(run.body()).isEqualTo("{\"approved\":\"pre-approved\"}");
            assertInvocationId(run);
        }

        @Test
        void urlEncodedWorkflowIdsAndObjectKeysAreDecoded() {
            String user = unique("user") + "@example.com";
            String encodedUser = user.replace("@", "%40");
            assertAccepted(ingress.postJson("/Signup/" + encodedUser + "/run/send", "{\"email\":\"" + user + "\"}"),
                    "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + user) == 1);
            ingress.postJson("/Signup/" + encodedUser + "/approve", "\"ok\"");

            String suffix = unique("");
            Http.Response add = ingress.postJson("/Counter/a%2Fb%20c" + suffix + "/add", "1");
            assertThat(add.status()).as(add.toString()).isEqualTo(200);
            assertThat(add.body()).isEqualTo("1");
            assertThat(example.executions("add:a/b c" + suffix)).isEqualTo(1);
        }

        @Test
        void anEmptyWorkflowIdOrObjectKeyIsAKey() {
            assertAccepted(ingress.postJson("/Signup//run/send", "{}"), "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:") == 1);
            ingress.postJson("/Signup//approve", "\"ok\"");

            Http.Response add = ingress.postJson("/Counter//add", "1");
            assertThat(add.status()).as(add.toString()).isEqualTo(200);
            assertThat(add.body()).isEqualTo("1");
            assertInvocationId(add);
            assertThat(example.executions("add:")).isEqualTo(1);
        }
    }

    @Nested
    class AttachAndOutput {
        @Test
        void outputIs470WhileRunningAndAttachWaitsForTheResultOfAnInvocationWithoutAKey() {
            String tag = unique("att-noidem");
            long start = System.nanoTime();
            String id = assertAccepted(ingress.postJson("/Greeter/slow/send", "{\"ms\":2000,\"tag\":\"" + tag + "\"}"),
                    "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + tag) == 1);
            Instant started = Instant.now();

            assertError(ingress.get("/restate/invocation/" + id + "/output"), 470, NOT_READY, "ingress");

            Http.Response attached = ingress.get("/restate/invocation/" + id + "/attach");
            Instant completed = Instant.now();
            String expected = "{\"slept\":2000,\"tag\":\"" + tag + "\"}";
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo(expected);
            assertThat(attached.header("content-type")).isEqualTo("application/json");
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(attached.header("idempotency-expires")).as("attach that waited").isNull();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(2_000);

            for (String path : new String[] {"/restate/invocation/" + id + "/output",
                    "/restate/invocation/" + id + "/attach"}) {
                Http.Response after = ingress.get(path);
                assertThat(after.status()).as(path + " " + after).isEqualTo(200);
                assertThat(after.body()).isEqualTo(expected);
                assertThat(after.header("x-restate-id")).isEqualTo(id);
                assertExpires(after, started, completed);
            }
        }

        @Test
        void outputAndAttachAnswerForAFinishedCallWithoutAKey() {
            String name = unique("NoKey");
            Instant before = Instant.now();
            Http.Response call = ingress.postJson("/Greeter/greet", "{\"name\":\"" + name + "\"}");
            Instant completed = Instant.now();
            String id = assertInvocationId(call);

            for (String path : new String[] {"/restate/invocation/" + id + "/output",
                    "/restate/invocation/" + id + "/attach"}) {
                Http.Response response = ingress.get(path);
                assertThat(response.status()).as(path + " " + response).isEqualTo(200);
                assertThat(response.body()).isEqualTo(call.body());
                assertThat(response.header("content-type")).isEqualTo("application/json");
                assertThat(response.header("x-restate-id")).isEqualTo(id);
                assertExpires(response, before, completed);
            }
        }

        @Test
        void byIdempotencyKeyOutputIs470WhileRunningAndAttachWaits() {
            String key = unique("att-1");
            String id = assertAccepted(ingress.postJson("/Greeter/slow/send", "{\"ms\":2000,\"tag\":\"" + key + "\"}",
                    "idempotency-key", key), "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + key) == 1);
            Instant started = Instant.now();

            assertError(ingress.get("/restate/invocation/" + id + "/output"), 470, NOT_READY, "ingress");
            assertError(ingress.get("/restate/invocation/Greeter/slow/" + key + "/output"), 470, NOT_READY, "ingress");

            Http.Response attached = ingress.get("/restate/invocation/Greeter/slow/" + key + "/attach");
            Instant completed = Instant.now();
            String expected = "{\"slept\":2000,\"tag\":\"" + key + "\"}";
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo(expected);
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(attached.header("idempotency-expires")).as("attach that waited").isNull();

            for (String path : new String[] {"/restate/invocation/Greeter/slow/" + key + "/output",
                    "/restate/invocation/Greeter/slow/" + key + "/attach", "/restate/invocation/" + id + "/output"}) {
                Http.Response after = ingress.get(path);
                assertThat(after.status()).as(path + " " + after).isEqualTo(200);
                assertThat(after.body()).isEqualTo(expected);
                assertThat(after.header("x-restate-id")).isEqualTo(id);
                assertExpires(after, started, completed);
            }
            assertThat(example.executions("slow:" + key)).isEqualTo(1);
        }

        @Test
        void anIdempotencyKeyNeverUsedIsNotFound() {
            String key = unique("never-used");
            assertError(ingress.get("/restate/invocation/Greeter/slow/" + key + "/output"), 404,
                    "invocation not found", "ingress");

            Http.Response attach = ingress.get("/restate/invocation/Greeter/slow/" + key + "/attach");
            assertError(attach, 404, "not found", "invocation");
            assertInvocationId(attach);

            assertError(ingress.get("/restate/invocation/Greeter/nohandler/" + key + "/output"), 404,
                    "invocation not found", "ingress");
            assertError(ingress.get("/restate/invocation/NoService/slow/" + key + "/output"), 404,
                    "service 'NoService' not found, make sure to register the service before calling it.", "ingress");
        }

        @Test
        void anObjectInvocationIsFoundByObjectKeyHandlerAndIdempotencyKey() {
            String key = unique("att-c");
            String objectKey = unique("k-att");
            Instant before = Instant.now();
            String id = assertAccepted(ingress.postJson("/Counter/" + objectKey + "/add/send", "7",
                    "idempotency-key", key), "Accepted");
            String byKey = "/restate/invocation/Counter/" + objectKey + "/add/" + key;

            assertError(ingress.get(byKey + "/output"), 470, NOT_READY, "ingress");

            Http.Response attached = ingress.get(byKey + "/attach");
            Instant completed = Instant.now();
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo("7");
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(attached.header("idempotency-expires")).isNull();

            Http.Response output = ingress.get(byKey + "/output");
            assertThat(output.status()).as(output.toString()).isEqualTo(200);
            assertThat(output.body()).isEqualTo("7");
            assertThat(output.header("x-restate-id")).isEqualTo(id);
            assertExpires(output, before, completed);

            assertError(ingress.get("/restate/invocation/Counter/" + unique("other-key") + "/add/" + key + "/output"),
                    404, "invocation not found", "ingress");
            assertError(ingress.get("/restate/invocation/Counter/add/" + key + "/output"), 400, BAD_INVOCATION_PATH,
                    "ingress");
        }

        @Test
        void aWorkflowIsNotFoundBeforeItsRun470WhileRunningAndItsResultAfter() {
            String wf = unique("wf-e5");
            String workflow = "/restate/workflow/Signup/" + wf;
            assertError(ingress.get(workflow + "/output"), 404, "invocation not found", "ingress");
            Http.Response attachBefore = ingress.get(workflow + "/attach");
            assertError(attachBefore, 404, "not found", "invocation");
            String idBefore = assertInvocationId(attachBefore);

            String id = assertAccepted(
                    ingress.postJson("/Signup/" + wf + "/run/send", "{\"email\":\"e5@example.com\"}"),
                    "Accepted");
            assertThat(id).as("the run's id is the one attach named before").isEqualTo(idBefore);
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + wf) == 1);

            assertError(ingress.get(workflow + "/output"), 470, NOT_READY, "ingress");
            assertError(ingress.get("/restate/invocation/" + id + "/output"), 470, NOT_READY, "ingress");

            CompletableFuture<Http.Response> attach =
                    CompletableFuture.supplyAsync(() -> ingress.get(workflow + "/attach"));
            Instant before = Instant.now();
            Http.Response approve = ingress.postJson("/Signup/" + wf + "/approve", "\"ok-e5\"");
            assertThat(approve.body()).isEqualTo("{\"resolved\":true}");
            Http.Response attached = attach.join();
            Instant completed = Instant.now();
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo("{\"approved\":\"ok-e5\"}");
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(attached.header("idempotency-expires")).isNull();

            for (String path : new String[] {workflow + "/output", workflow + "/attach",
                    "/restate/invocation/" + id + "/attach"}) {
                Http.Response after = ingress.get(path);
                assertThat(after.status()).as(path + " " + after).isEqualTo(200);
                assertThat(after.body()).isEqualTo("{\"approved\":\"ok-e5\"}");
                assertThat(after.header("content-type")).isEqualTo("application/json");
                assertThat(after.header("x-restate-id")).isEqualTo(id);
                assertExpires(after, before, completed);
            }

            assertError(ingress.get("/restate/workflow/Greeter/x/output"), 404, "invocation not found", "ingress");
            assertError(ingress.get("/restate/invocation/Signup/run/" + wf + "/output"), 400, BAD_INVOCATION_PATH,
                    "ingress");
        }

        @Test
        void malformedInvocationIdsAre400AndUnknownOnesAre404() {
            assertError(ingress.get("/restate/invocation/garbage/attach"), 400,
                    "bad invocation id 'garbage': bad format", "ingress");
            assertError(ingress.get("/restate/invocation/garbage/output"), 400,
                    "bad invocation id 'garbage': bad format", "ingress");
            assertError(ingress.get("/restate/invocation/inv_1/output"), 400,
                    "bad invocation id 'inv_1': bad length", "ingress");
            String undecodable = "inv_1aaaaaaaaaaaa0000000000000000000000";
            assertError(ingress.get("/restate/invocation/" + undecodable + "/output"), 400,
                    "bad invocation id '" + undecodable + "': base62 decode error", "ingress");
            assertError(ingress.get("/restate/invocation/" + undecodable + "/attach"), 400,
                    "bad invocation id '" + undecodable + "': base62 decode error", "ingress");

            String id = assertInvocationId(ingress.postJson("/Greeter/greet", "{\"name\":\"e6\"}"));
            // a smaller last digit keeps the id decodable
            String changed = id.substring(0, id.length() - 1) + (id.endsWith("0") ? "1" : "0");
            assertError(ingress.get("/restate/invocation/" + changed + "/output"), 404, "invocation not found",
                    "ingress");
        }

        @Test
        void nonGetMethodsAre405AndOtherPathsAre400Or404() {
            String id = assertInvocationId(ingress.postJson("/Greeter/greet", "{\"name\":\"e7\"}"));
            assertError(ingress.method("POST", "/restate/invocation/" + id + "/output", null), 405,
                    "method not allowed", "ingress");
            assertError(ingress.method("POST", "/restate/invocation/" + id + "/attach", null), 405,
                    "method not allowed", "ingress");
            assertError(ingress.method("DELETE", "/restate/invocation/" + id + "/output", null), 405,
                    "method not allowed", "ingress");
            assertError(ingress.get("/restate/invocation/" + id), 400, BAD_INVOCATION_PATH, "ingress");
            assertError(ingress.get("/restate/invocation/" + id + "/foo"), 404, "not found", "ingress");
            assertError(ingress.get("/restate/workflow/Signup/" + unique("wf-e7")), 400, BAD_WORKFLOW_PATH, "ingress");
            assertError(ingress.get("/restate/foo"), 404, "not found", "ingress");

            Http.Response health = ingress.get("/restate/health");
            assertThat(health.status()).as(health.toString()).isEqualTo(200);
            assertThat(health.header("content-type")).isEqualTo("application/json");
            JsonNode services = json(health.body()).path("services");
            assertThat(services.isArray()).as(health.body()).isTrue();
            assertThat(services).extracting(JsonNode::asText)
                    .containsExactlyInAnyOrder("Signup", "Counter", "Greeter", "Ledger");
        }

        @Test
        void outputAndAttachOfATerminalFailureAnswerTheFailure() {
            String key = unique("att-fail");
            Instant before = Instant.now();
            String id = assertAccepted(ingress.postJson("/Greeter/fail/send",
                    "{\"message\":\"boom\",\"tag\":\"" + key + "\"}", "idempotency-key", key), "Accepted");
            String byKey = "/restate/invocation/Greeter/fail/" + key;
            await().atMost(Duration.ofSeconds(10)).until(() -> ingress.get(byKey + "/output").status() != 470);
            Instant completed = Instant.now();

            SoftAssertions.assertSoftly(softly -> {
                for (String path : new String[] {byKey + "/output", byKey + "/attach"}) {
                    Http.Response response = ingress.get(path);
                    softly.check(() -> {
                        assertError(response, 400, "boom", "invocation");
                        assertThat(response.header("x-restate-id")).isEqualTo(id);
                        assertExpires(response, before, completed);
                    });
                }
            });
            assertThat(example.executions("fail:" + key)).isEqualTo(1);
        }

        @Test
        void theShortAttachAndOutputFormsTakeAnInvocationId() {
            String tag = unique("k3");
            String id = assertAccepted(
                    ingress.postJson("/restate/send/Greeter/slow", "{\"ms\":2000,\"tag\":\"" + tag + "\"}"),
                    "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("slow:" + tag) == 1);
            Instant started = Instant.now();
            assertError(ingress.get("/restate/output/" + id), 470, NOT_READY, "ingress");

            Http.Response attached = ingress.get("/restate/attach/" + id);
            Instant completed = Instant.now();
            String expected = "{\"slept\":2000,\"tag\":\"" + tag + "\"}";
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo(expected);
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(attached.header("idempotency-expires")).isNull();

            Http.Response output = ingress.get("/restate/output/" + id);
            assertThat(output.status()).as(output.toString()).isEqualTo(200);
            assertThat(output.body()).isEqualTo(expected);
            assertThat(output.header("x-restate-id")).isEqualTo(id);
            assertExpires(output, started, completed);

            assertError(ingress.get("/restate/output/garbage"), 400, "bad invocation id 'garbage': bad format",
                    "ingress");
            assertError(ingress.method("POST", "/restate/output/" + id, null), 405, "method not allowed", "ingress");
        }

        @Test
        void lookupComputesTheIdOfAWorkflowRunOrAnIdempotentInvocation() {
            String wf = unique("wf-new");
            String runId = assertAccepted(ingress.postJson("/restate/send/Signup/" + wf + "/run",
                    "{\"email\":\"new@example.com\"}"), "Accepted");
            assertLookup("{\"target\":\"workflow\",\"workflowName\":\"Signup\",\"workflowKey\":\"" + wf + "\"}", runId);

            String key = unique("idem-k4");
            String callId = assertInvocationId(ingress.postJson("/Greeter/greet", "{\"name\":\"k4\"}",
                    "idempotency-key", key));
            assertLookup("{\"target\":\"idempotentInvocation\",\"service\":\"Greeter\",\"handler\":\"greet\","
                    + "\"idempotencyKey\":\"" + key + "\"}", callId);

            String objectKey = unique("k2");
            String objectCallId = assertInvocationId(ingress.postJson("/Counter/" + objectKey + "/add", "1",
                    "idempotency-key", key));
            assertLookup("{\"target\":\"idempotentInvocation\",\"service\":\"Counter\",\"key\":\"" + objectKey
                    + "\",\"handler\":\"add\",\"idempotencyKey\":\"" + key + "\"}", objectCallId);

            String neverUsed = unique("never-used-anywhere");
            String lookedUp = assertLookup("{\"target\":\"idempotentInvocation\",\"service\":\"Greeter\","
                    + "\"handler\":\"greet\",\"idempotencyKey\":\"" + neverUsed + "\"}", null);
            Http.Response later =
                    ingress.postJson("/Greeter/greet", "{\"name\":\"k4-later\"}", "idempotency-key", neverUsed);
            assertThat(later.header("x-restate-id")).as("ids of idempotent invocations are deterministic")
                    .isEqualTo(lookedUp);

            assertLookup("{\"target\":\"invocation\",\"invocationId\":\"" + callId + "\"}", callId);

            assertError(ingress.get("/restate/lookup"), 405, "method not allowed", "ingress");
            Http.Response empty = ingress.postJson("/restate/lookup", "{}");
            // Restate answers 500 with a stack trace here; where Restate fails a user, Ferry answers better.
            assertThat(empty.status()).as(empty.toString()).isEqualTo(400);
            assertThat(empty.header("x-restate-error-source")).isEqualTo("ingress");
            assertThat(json(empty.body()).path("code").asInt()).isEqualTo(400);
            ingress.postJson("/Signup/" + wf + "/approve", "\"ok\"");
        }

        @Test
        void attachAndOutputTakeATargetBody() {
            String wf = unique("wf-k5");
            String target = "{\"target\":\"workflow\",\"workflowName\":\"Signup\",\"workflowKey\":\"" + wf + "\"}";
            String runId = assertAccepted(ingress.postJson("/restate/send/Signup/" + wf + "/run",
                    "{\"email\":\"new@example.com\"}"), "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + wf) == 1);
            assertError(ingress.postJson("/restate/output", target), 470, NOT_READY, "ingress");

            Instant before = Instant.now();
            assertThat(ingress.postJson("/Signup/" + wf + "/approve", "\"ok-new\"").body())
                    .isEqualTo("{\"resolved\":true}");
            assertThat(ingress.get("/restate/workflow/Signup/" + wf + "/attach").body())
                    .isEqualTo("{\"approved\":\"ok-new\"}");
            Instant completed = Instant.now();
            Http.Response attached = ingress.postJson("/restate/attach", target);
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo("{\"approved\":\"ok-new\"}");
            assertThat(attached.header("x-restate-id")).isEqualTo(runId);
            assertExpires(attached, before, completed);

            String key = unique("idem-k5");
            Instant callBefore = Instant.now();
            Http.Response call = ingress.postJson("/Greeter/greet", "{\"name\":\"Idem\"}", "idempotency-key", key);
            Instant callCompleted = Instant.now();
            Http.Response byKey = ingress.postJson("/restate/output", "{\"target\":\"idempotentInvocation\","
                    + "\"service\":\"Greeter\",\"handler\":\"greet\",\"idempotencyKey\":\"" + key + "\"}");
            assertThat(byKey.status()).as(byKey.toString()).isEqualTo(200);
            assertThat(byKey.body()).isEqualTo("{\"greeting\":\"Hello Idem\",\"name\":\"Idem\"}");
            assertThat(byKey.header("x-restate-id")).isEqualTo(assertInvocationId(call));
            assertExpires(byKey, callBefore, callCompleted);

            Http.Response byId = ingress.postJson("/restate/output",
                    "{\"target\":\"invocation\",\"invocationId\":\"" + runId + "\"}");
            assertThat(byId.status()).as(byId.toString()).isEqualTo(200);
            assertThat(byId.body()).isEqualTo("{\"approved\":\"ok-new\"}");
            assertThat(byId.header("x-restate-id")).isEqualTo(runId);
            assertExpires(byId, before, completed);

            String neverUsed = unique("never-used-anywhere");
            assertError(ingress.postJson("/restate/output", "{\"target\":\"idempotentInvocation\","
                    + "\"service\":\"Greeter\",\"handler\":\"greet\",\"idempotencyKey\":\"" + neverUsed + "\"}"),
                    404, "invocation not found", "ingress");
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownServicesAndHandlersAre404AndNamesAreCaseSensitive() {
            String noService =
                    "service 'NoSuchService' not found, make sure to register the service before calling it.";
            assertError(ingress.postJson("/NoSuchService/greet", "{}"), 404, noService, "ingress");
            assertError(ingress.postJson("/NoSuchService/greet/send", "{}"), 404, noService, "ingress");
            assertError(ingress.postJson("/Greeter/nosuchhandler", "{}"), 404, handlerNotFound("nosuchhandler"),
                    "ingress");
            assertError(ingress.postJson("/Greeter/nosuchhandler/send", "{}"), 404, handlerNotFound("nosuchhandler"),
                    "ingress");
            assertError(ingress.postJson("/greeter/greet", "{}"), 404,
                    "service 'greeter' not found, make sure to register the service before calling it.", "ingress");
            assertError(ingress.postJson("/Greeter/Greet", "{}"), 404, handlerNotFound("Greet"), "ingress");
        }

        @Test
        void browsersGetCorsAnswersAsFromRestate() {
            // A CORS preflight, and the CORS headers of an actual request.
            Http.Response preflight = ingress.method("OPTIONS", "/Greeter/greet", null,
                    "origin", "http://example.test", "access-control-request-method", "POST",
                    "access-control-request-headers", "content-type, idempotency-key");
            assertThat(preflight.status()).as(preflight.toString()).isEqualTo(200);
            assertThat(preflight.header("access-control-allow-origin")).isEqualTo("http://example.test");
            assertThat(preflight.header("access-control-allow-methods")).isEqualTo("POST");
            assertThat(preflight.header("access-control-allow-headers")).isEqualTo("content-type, idempotency-key");
            assertThat(preflight.header("access-control-allow-credentials")).isEqualTo("true");
            assertThat(preflight.body()).isEmpty();

            Http.Response call = ingress.postJson("/Greeter/noop", "\"cors\"", "origin", "http://example.test");
            assertThat(call.status()).isEqualTo(200);
            assertThat(call.body()).isEqualTo("\"cors\"");
            assertThat(call.header("access-control-allow-origin")).isEqualTo("http://example.test");
            assertThat(call.header("access-control-allow-credentials")).isEqualTo("true");
            assertThat(call.header("vary")).isEqualTo("origin, access-control-request-method, access-control-request-headers");
            // Beyond the record: a page on another origin (Ferry's UI on the admin port, say) may read the id.
            assertThat(call.header("access-control-expose-headers"))
                    .isEqualTo("x-restate-id, idempotency-expires, x-restate-error-source");
        }

        @Test
        void badPathShapesAre400AndATrailingSlashIsFine() {
            assertError(ingress.method("POST", "/", null), 400, "bad path: /", "ingress");
            assertError(ingress.method("POST", "/Greeter", null), 400, "bad path: /Greeter", "ingress");
            assertError(ingress.postJson("/Greeter/greet/extra", "{}"), 400, BAD_PATH, "ingress");
            assertError(ingress.postJson("/Greeter/greet/send/extra", "{}"), 400, BAD_PATH, "ingress");
            assertError(ingress.postJson("/Greeter/k/greet", "{}"), 400, BAD_PATH, "ingress");

            Http.Response slash = ingress.postJson("/Greeter/greet/", "{\"name\":\"slash\"}");
            assertThat(slash.status()).as(slash.toString()).isEqualTo(200);
            assertThat(slash.body()).isEqualTo("{\"greeting\":\"Hello slash\",\"name\":\"slash\"}");
            assertInvocationId(slash);
        }

        @Test
        void contentTypesOtherThanTheHandlersAre400() {
            for (String type : new String[] {"text/plain", "application/octet-stream", "application/vnd.custom+json",
                    "application/x-www-form-urlencoded"}) {
                assertError(ingress.post("/Greeter/greet", "{\"name\":\"ct\"}".getBytes(), "content-type", type), 400,
                        "input validation error: Content-type '" + type + "' does not match 'application/json'",
                        "ingress");
            }
            assertError(ingress.method("POST", "/Greeter/greet", null, "content-type", "text/plain"), 400,
                    "input validation error: Content-type 'text/plain' does not match 'application/json'", "ingress");
        }

        @Test
        void aBodyWithoutAContentTypeIs400() {
            // An empty content-type header.
            assertError(ingress.post("/Greeter/greet", "{\"name\":\"no-ct-header\"}".getBytes()), 400,
                    "input validation error: Empty content-type", "ingress");
        }

        @Test
        void jsonWithOrWithoutACharsetIsAccepted() {
            // A content type with a charset parameter.
            Http.Response charset = ingress.post("/Greeter/greet", "{\"name\":\"charset\"}".getBytes(),
                    "content-type", "application/json; charset=utf-8");
            assertThat(charset.status()).as(charset.toString()).isEqualTo(200);
            assertThat(charset.body()).isEqualTo("{\"greeting\":\"Hello charset\",\"name\":\"charset\"}");

            Http.Response json = ingress.postJson("/Greeter/greet", "{\"name\":\"json\"}");
            assertThat(json.status()).as(json.toString()).isEqualTo(200);
            assertThat(json.body()).isEqualTo("{\"greeting\":\"Hello json\",\"name\":\"json\"}");
        }

        @Test
        void theRestateCallAndSendFormsCallServicesObjectsAndWorkflows() {
            Http.Response call = ingress.postJson("/restate/call/Greeter/greet", "{\"name\":\"NewStyle\"}");
            assertThat(call.status()).as(call.toString()).isEqualTo(200);
            assertThat(call.body()).isEqualTo("{\"greeting\":\"Hello NewStyle\",\"name\":\"NewStyle\"}");
            assertThat(call.header("content-type")).isEqualTo("application/json");
            assertInvocationId(call);

            String tag = unique("new-send");
            assertAccepted(ingress.postJson("/restate/send/Greeter/greet", "{\"name\":\"NewStyleSend\",\"tag\":\"" + tag
                    + "\"}"), "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("greet:" + tag) == 1);

            String key = unique("k-new");
            Http.Response object = ingress.postJson("/restate/call/Counter/" + key + "/add", "2");
            assertThat(object.status()).as(object.toString()).isEqualTo(200);
            assertThat(object.body()).isEqualTo("2");
            assertInvocationId(object);

            String wf = unique("wf-new");
            assertAccepted(ingress.postJson("/restate/send/Signup/" + wf + "/run", "{\"email\":\"new@example.com\"}"),
                    "Accepted");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.executions("run:" + wf) == 1);
            ingress.postJson("/Signup/" + wf + "/approve", "\"ok\"");
        }

        @Test
        void theRestateFormsAnswerRestatesErrors() {
            assertError(ingress.postJson("/restate/call/NoSuchService/greet", "{}"), 404,
                    "service 'NoSuchService' not found, make sure to register the service before calling it.",
                    "ingress");
            assertError(ingress.postJson("/restate/call/Greeter/nosuch", "{}"), 404, handlerNotFound("nosuch"),
                    "ingress");
            assertError(ingress.postJson("/restate/call/Greeter", "{}"), 400, BAD_RESTATE_PATH, "ingress");
            assertError(ingress.postJson("/restate/call/Greeter/greet/send", "{}"), 400, BAD_RESTATE_PATH, "ingress");
            assertError(ingress.method("PUT", "/restate/call/Greeter/greet", "{}", "content-type", "application/json"),
                    405, "method not allowed", "ingress");
            assertError(ingress.post("/restate/call/Greeter/greet", "x".getBytes(), "content-type", "text/plain"), 400,
                    "input validation error: Content-type 'text/plain' does not match 'application/json'", "ingress");
            assertError(ingress.postJson("/restate/call/Counter/add", "1"), 400, BAD_RESTATE_PATH, "ingress");
            assertError(ingress.postJson("/restate/foo/Greeter/greet", "{}"), 404, "not found", "ingress");
        }
    }

    @Nested
    class Failures {
        @Test
        void aTerminalFailureAnswersItsCodeAndMessageFromTheInvocation() {
            Http.Response failed =
                    ingress.postJson("/Greeter/fail", "{\"message\":\"this failed terminally\",\"tag\":\"g1\"}");
            assertError(failed, 400, "this failed terminally", "invocation");
            assertInvocationId(failed);
            assertThat(failed.header("idempotency-expires")).isNull();

            Http.Response defaultMessage = ingress.postJson("/Greeter/fail", "{}");
            assertError(defaultMessage, 400, "failed on purpose", "invocation");
            assertInvocationId(defaultMessage);
        }

        @Test
        void aTerminalFailureSentWithAKeyIsReadByOutput() {
            // A send with an idempotency key, then its output.
            String key = unique("g1-key");
            Instant before = Instant.now();
            String id = assertAccepted(ingress.postJson("/Greeter/fail/send", "{\"message\":\"failed via send\"}",
                    "idempotency-key", key), "Accepted");
            String output = "/restate/invocation/Greeter/fail/" + key + "/output";
            await().atMost(Duration.ofSeconds(10)).until(() -> ingress.get(output).status() != 470);
            Instant completed = Instant.now();

            Http.Response response = ingress.get(output);
            assertError(response, 400, "failed via send", "invocation");
            assertThat(response.header("x-restate-id")).isEqualTo(id);
            assertExpires(response, before, completed);
        }

        @Test
        void aRepeatedCallWithAKeyReplaysTheFailureWithoutRunningAgain() {
            // Another idempotency key.
            String key = unique("g1-key2");
            String body = "{\"message\":\"replayed failure\",\"tag\":\"" + key + "\"}";
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Greeter/fail", body, "idempotency-key", key);
            Instant completed = Instant.now();
            assertError(first, 400, "replayed failure", "invocation");
            assertThat(first.header("idempotency-expires")).isNull();

            Http.Response again = ingress.postJson("/Greeter/fail", body, "idempotency-key", key);
            assertError(again, 400, "replayed failure", "invocation");
            assertThat(again.header("x-restate-id")).isEqualTo(assertInvocationId(first));
            assertExpires(again, before, completed);
            assertThat(example.executions("fail:" + key)).isEqualTo(1);
        }

        @Test
        void aTransientFailureIsRetriedWithBackoffUntilItSucceeds() {
            String id = unique("g2");
            long start = System.nanoTime();
            Http.Response response = ingress.postJson("/Greeter/flaky", "{\"id\":\"" + id + "\"}");
            long elapsed = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode body = json(response.body());
            assertThat(body.path("id").asText()).isEqualTo(id);
            assertThat(body.path("attempts").asInt()).isEqualTo(3);
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertInvocationId(response);
            assertThat(example.executions("flaky:" + id)).isEqualTo(3);
            assertThat(elapsed).as("waits of 500 ms and 1 s between the attempts").isGreaterThanOrEqualTo(1_400);
        }
    }

    /** What Ferry adds to Restate's API: RFC 7240 Prefer on calls. */
    @Nested
    class FerryPreferences {
        @Test
        void preferWaitAnswers202WithALocationToAttachWhenTheResultIsLate() {
            // Ferry addition: Prefer: wait=1 on a 3 s call
            String tag = unique("prefer-wait");
            long start = System.nanoTime();
            Http.Response response = ingress.postJson("/Greeter/slow", "{\"ms\":3000,\"tag\":\"" + tag + "\"}",
                    "prefer", "wait=1");
            long elapsed = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).as(response.toString()).isEqualTo(202);
            String id = assertInvocationId(response);
            assertThat(json(response.body()).path("invocationId").asText()).isEqualTo(id);
            String location = response.header("location");
            assertThat(location).isNotNull().endsWith("/restate/invocation/" + id + "/attach");
            assertThat(elapsed).as("answered after the wait, before the result").isBetween(1_000L, 3_000L - 1);

            Http.Response attached = ingress.get(location.replaceFirst("^https?://[^/]+", ""));
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            assertThat(attached.body()).isEqualTo("{\"slept\":3000,\"tag\":\"" + tag + "\"}");
            assertThat(attached.header("x-restate-id")).isEqualTo(id);
            assertThat(example.executions("slow:" + tag)).isEqualTo(1);
        }

        @Test
        void strictHandlingRefusesAReusedKeyWithADifferentBodyAndReplaysTheSameBody() {
            // Ferry addition: Prefer: handling=strict
            String key = unique("strict");
            String body = "{\"name\":\"Strict\",\"tag\":\"" + key + "\"}";
            Instant before = Instant.now();
            Http.Response first = ingress.postJson("/Greeter/greet", body, "idempotency-key", key,
                    "prefer", "handling=strict");
            Instant completed = Instant.now();
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            String id = assertInvocationId(first);

            Http.Response different = ingress.postJson("/Greeter/greet",
                    "{\"name\":\"Other\",\"tag\":\"" + key + "-other\"}", "idempotency-key", key,
                    "prefer", "handling=strict");
            assertThat(different.status()).as(different.toString()).isEqualTo(422);
            assertThat(different.header("content-type")).isEqualTo("application/json");
            assertThat(different.header("x-restate-error-source")).isEqualTo("ingress");
            JsonNode error = json(different.body());
            assertThat(error.path("code").asInt()).as(different.body()).isEqualTo(422);
            assertThat(error.path("message").asText()).as(different.body()).isNotBlank();
            assertThat(error.path("source").asText()).as(different.body()).isEqualTo("ingress");
            assertThat(example.executions("greet:" + key + "-other")).isZero();

            Http.Response same = ingress.postJson("/Greeter/greet", body, "idempotency-key", key,
                    "prefer", "handling=strict");
            assertThat(same.status()).as(same.toString()).isEqualTo(200);
            assertThat(same.body()).isEqualTo(first.body());
            assertThat(same.header("x-restate-id")).isEqualTo(id);
            assertExpires(same, before, completed);
            assertThat(example.executions("greet:" + key)).isEqualTo(1);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String unique(String base) {
        return base + "-" + sequence.incrementAndGet();
    }

    private static String handlerNotFound(String handler) {
        return "the service 'Greeter' exists, but the handler '" + handler + "' was not found, check that the handler "
                + "exists in the latest registered service version.";
    }

    /** x-restate-id is present and has Restate's shape; returns it. */
    private static String assertInvocationId(Http.Response response) {
        String id = response.header("x-restate-id");
        assertThat(id).as("x-restate-id of %s", response).isNotNull().hasSize(38);
        assertThat(id).matches(INVOCATION_ID);
        return id;
    }

    /** A 202 of /send: {"invocationId":id,"status":status}, id equal to x-restate-id; returns the id. */
    private static String assertAccepted(Http.Response response, String status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        String id = assertInvocationId(response);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + id + "\",\"status\":\"" + status + "\"}");
        return id;
    }

    /** A 202 of a delayed /send, with executionTime between the id and the status; returns the execution time. */
    private static Instant assertDelayedAccepted(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        String id = assertInvocationId(response);
        Matcher matcher = DELAYED_ACCEPTED.matcher(response.body());
        assertThat(matcher.matches()).as("delayed 202 body %s", response.body()).isTrue();
        assertThat(matcher.group(1)).isEqualTo(id);
        return Instant.parse(matcher.group(2));
    }

    private static void assertExecutionTimeAbout(Instant executionTime, Instant before, Instant after, Duration delay) {
        assertThat(executionTime).as("executionTime for a delay of %s", delay)
                .isBetween(before.plus(delay).minusMillis(10), after.plus(delay).plusMillis(500));
    }

    /** {"code":N,"message":M,"source":S} exactly, with x-restate-error-source: S and content-type JSON. */
    private static void assertError(Http.Response response, int code, String message, String source) {
        ObjectNode expected = JSON.createObjectNode().put("code", code).put("message", message).put("source", source);
        assertThat(response.status()).as(response.toString()).isEqualTo(code);
        assertThat(response.body()).isEqualTo(write(expected));
        assertThat(response.header("x-restate-error-source")).as(response.toString()).isEqualTo(source);
        assertThat(response.header("content-type")).as(response.toString()).isEqualTo("application/json");
    }

    /**
     * idempotency-expires is present, in Restate's format, and about the retention (24 h) after a completion that
     * happened between the two instants.
     */
    private static void assertExpires(Http.Response response, Instant completedNotBefore, Instant completedNotAfter) {
        String expires = response.header("idempotency-expires");
        assertThat(expires).as("idempotency-expires of %s", response).isNotNull().matches(EXPIRES);
        Instant at = OffsetDateTime.parse(expires).toInstant();
        assertThat(at).isBetween(completedNotBefore.plus(RETENTION).minusSeconds(1),
                completedNotAfter.plus(RETENTION).plusSeconds(1));
    }

    private String assertLookup(String target, String expectedId) {
        Http.Response response = ingress.postJson("/restate/lookup", target);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        String id = json(response.body()).path("invocationId").asText();
        assertThat(id).matches(INVOCATION_ID);
        assertThat(response.body()).isEqualTo("{\"invocationId\":\"" + id + "\"}");
        if (expectedId != null) {
            assertThat(id).as("lookup of %s", target).isEqualTo(expectedId);
        }
        return id;
    }

    /**
     * Waits for the delayed handler's first run, checks that it started at its executionTime or within 2 s after
     * (by the example service's own start time), and returns the milliseconds from {@code startNanos} until the
     * run was seen.
     */
    private long awaitFirstExecution(String counter, long startNanos, Instant executionTime, Duration atMost) {
        Supplier<Long> executions = () -> example.executions(counter);
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(atMost)
                .until(() -> executions.get() >= 1);
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000;
        assertThat(executions.get()).as("runs of %s", counter).isEqualTo(1);
        assertStartedAt(example.firstStart(counter), executionTime);
        return elapsed;
    }

    /** The handler started no earlier than its executionTime, and less than 2 s after it. */
    private static void assertStartedAt(Long startedAtMillis, Instant executionTime) {
        assertThat(startedAtMillis).as("the handler's first start").isNotNull();
        assertThat(Instant.ofEpochMilli(startedAtMillis)).as("first start vs executionTime %s", executionTime)
                .isAfterOrEqualTo(executionTime.truncatedTo(ChronoUnit.MILLIS))
                .isBefore(executionTime.plusSeconds(2));
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
