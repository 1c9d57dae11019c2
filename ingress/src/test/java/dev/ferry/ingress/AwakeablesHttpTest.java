package dev.ferry.ingress;

import static dev.ferry.ingress.InvocationsHttpTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.ProcessorUnavailable;
import dev.ferry.protocol.AwakeableId;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Notify;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resolving and rejecting awakeables over HTTP against the ingress with a stand-in processor: the {@link Notify}
 * told for each, the 202, and the refusals in the order and with the answers of Restate 1.7.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwakeablesHttpTest {
    private static final long LIMIT = 1024;
    private static final InvocationId TARGET = InvocationId.random(42);
    private static final AwakeableId AWAKEABLE = AwakeableId.of(TARGET.toBytes(), 17);
    private static final String RESOLVE = "/restate/awakeables/" + AWAKEABLE + "/resolve";
    private static final String REJECT = "/restate/awakeables/" + AWAKEABLE + "/reject";

    private final IngressUnderTest ingress = new IngressUnderTest(LIMIT);
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
    void resolveTellsANotifyWithTheBodyAsTheValueAndAnswers202WithNoBody() {
        HttpResponse<String> response = ingress.postJson(RESOLVE, "{\"hello\":\"world\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("content-type")).isEmpty();
        assertThat(response.headers().firstValue("content-length")).hasValue("0");
        Notify notify = onlyNotify();
        assertThat(notify.invocationId()).isEqualTo(TARGET);
        assertThat(notify.signalIndex()).isEqualTo(17);
        assertThat(notify.completionId()).isNull();
        assertThat(notify.signalName()).isNull();
        assertThat(notify.value().utf8()).isEqualTo("{\"hello\":\"world\"}");
        assertThat(notify.failure()).isNull();
        assertThat(processor.asked()).as("nobody waits for an answer").isEmpty();
    }

    @Test
    void resolveTakesAnyBodyAsIsAndAnEmptyOneAsAnEmptyValue() {
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28, 10};

        assertThat(ingress.post(RESOLVE, binary, "content-type", "application/octet-stream").statusCode())
                .isEqualTo(202);
        assertThat(ingress.method("POST", RESOLVE, null).statusCode()).isEqualTo(202);

        List<Command> told = processor.told();
        assertThat(told).hasSize(2);
        assertThat(((Notify) told.get(0)).value().bytes()).isEqualTo(binary);
        assertThat(((Notify) told.get(1)).value().isEmpty()).isTrue();
        assertThat(((Notify) told.get(1)).failure()).isNull();
    }

    @Test
    void rejectTellsANotifyWithTheBodyAsTheFailuresMessageAndCode500() {
        HttpResponse<String> response = ingress.method("POST", REJECT, "Very bad error!",
                "content-type", "text/plain");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
        Notify notify = onlyNotify();
        assertThat(notify.invocationId()).isEqualTo(TARGET);
        assertThat(notify.signalIndex()).isEqualTo(17);
        assertThat(notify.failure()).isEqualTo(new Failure(500, "Very bad error!"));
        assertThat(notify.value().isEmpty()).isTrue();
    }

    @Test
    void aRejectionsMessageIsReadAsUtf8WithInvalidBytesReplaced() {
        byte[] body = {'b', 'a', 'd', ' ', (byte) 0xff, '!'};

        assertThat(ingress.post(REJECT, body).statusCode()).isEqualTo(202);

        assertThat(onlyNotify().failure()).isEqualTo(new Failure(500, "bad \uFFFD!"));
    }

    @Test
    void theShortFormOfThePathIsTheSame() {
        assertThat(ingress.postJson("/restate/a/" + AWAKEABLE + "/resolve", "1").statusCode()).isEqualTo(202);

        assertThat(onlyNotify().signalIndex()).isEqualTo(17);
    }

    @Test
    void theSignalIndexAndInvocationComeFromTheId() {
        InvocationId other = InvocationId.random(7);
        AwakeableId id = AwakeableId.of(other.toBytes(), 1234);

        assertThat(ingress.postJson("/restate/awakeables/" + id + "/resolve", "true").statusCode()).isEqualTo(202);

        Notify notify = onlyNotify();
        assertThat(notify.invocationId()).isEqualTo(other);
        assertThat(notify.signalIndex()).isEqualTo(1234);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resolve", "reject"})
    void aMalformedIdIs400AsRestateAnswersIt(String action) {
        HttpResponse<String> response = ingress.postJson("/restate/awakeables/garbage/" + action, "{}");

        assertThat(response.body())
                .isEqualTo("{\"code\":400,\"message\":\"bad awakeable id 'garbage': bad format\",\"source\":\"ingress\"}");
        assertError(response, 400, "bad awakeable id 'garbage': bad format", "ingress");
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void aDamagedSignalIdGetsRestatesReason() {
        String truncated = AWAKEABLE.toString().substring(0, 20);

        assertError(ingress.postJson("/restate/awakeables/" + truncated + "/resolve", "{}"), 400,
                "bad awakeable id '" + truncated + "': id doesn't match the expected type", "ingress");
        assertError(ingress.postJson("/restate/awakeables//resolve", "{}"), 400,
                "bad awakeable id '': bad length", "ingress");
        assertThat(processor.told()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void methodsOtherThanPostAre405(String method) {
        HttpResponse<String> response = ingress.method(method, RESOLVE, null);

        assertError(response, 405, "method not allowed", "ingress");
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void theMethodIsCheckedBeforeTheId() {
        assertError(ingress.get("/restate/awakeables/garbage/reject"), 405, "method not allowed", "ingress");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/restate/awakeables", "/restate/awakeables/", "/restate/awakeables/" + "sign_1abc",
        "/restate/a/sign_1abc"})
    void aPathWithoutIdAndActionIs400(String path) {
        assertError(ingress.postJson(path, "{}"), 400, Awakeables.BAD_PATH, "ingress");
    }

    @Test
    void anActionOtherThanResolveOrRejectIs404BeforeTheMethodIsLookedAt() {
        assertError(ingress.postJson("/restate/awakeables/" + AWAKEABLE + "/complete", "{}"), 404, "not found",
                "ingress");
        assertError(ingress.get("/restate/awakeables/garbage/complete"), 404, "not found", "ingress");
        assertThat(processor.told()).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413AndNothingIsTold() {
        HttpResponse<String> response = ingress.postExpectingContinue(RESOLVE, new byte[(int) LIMIT + 1],
                "content-type", "application/octet-stream");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).isEqualTo("length limit exceeded");
        assertThat(processor.told()).isEmpty();
        byte[] atTheLimit = "x".repeat((int) LIMIT).getBytes(StandardCharsets.UTF_8);
        assertThat(ingress.post(REJECT, atTheLimit).statusCode()).isEqualTo(202);
    }

    @Test
    void aLogThatCannotBeReachedIs503() {
        processor.unavailable(new ProcessorUnavailable(503, "the command log cannot be reached"));

        assertError(ingress.postJson(RESOLVE, "{}"), 503, "the command log cannot be reached", "ingress");
    }

    private Notify onlyNotify() {
        List<Command> told = processor.told();
        assertThat(told).hasSize(1);
        assertThat(told.get(0)).isInstanceOf(Notify.class);
        return (Notify) told.get(0);
    }
}
