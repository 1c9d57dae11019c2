package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.commands.Attach;
import dev.ferry.schemas.commands.AttemptFailed;
import dev.ferry.schemas.commands.Cancel;
import dev.ferry.schemas.commands.Command;
import dev.ferry.schemas.commands.Completion;
import dev.ferry.schemas.commands.Detach;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.FireTimer;
import dev.ferry.schemas.commands.GetOutput;
import dev.ferry.schemas.commands.Header;
import dev.ferry.schemas.commands.Invoke;
import dev.ferry.schemas.commands.Kill;
import dev.ferry.schemas.commands.Outcome;
import dev.ferry.schemas.commands.Purge;
import dev.ferry.schemas.commands.RenewLease;
import dev.ferry.schemas.commands.ReplyTo;
import dev.ferry.schemas.commands.Resume;
import dev.ferry.schemas.results.FailedInvocation;
import dev.ferry.schemas.results.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The published schemas describe what Ferry writes, and refuse what it would not accept. */
class RecordSchemasTest {
    private static final RecordSchemas SCHEMAS = new RecordSchemas();
    private static final Target GREET = Target.service("Greeter", "greet");
    private static final InvocationId ID = InvocationIds.forSubmission(GREET, "k");
    private static final ReplyTo REPLY_TO = new ReplyTo("ingress-1", "7");

    static List<Command> everyCommand() {
        return List.of(
                new Invoke(ID, GREET, "k", "application/json", List.of(new Header("x-a", "b")),
                        Payload.ofUtf8("{\"name\":\"Mary\"}"), null, 1_000L, false, REPLY_TO, true, 5, null),
                new Invoke(ID, GREET, null, null, List.of(), Payload.of(new byte[] {1, 2, (byte) 0xff}), null, null,
                        true, null, false, 5, "results"),
                new Completion(ID, 1, Outcome.success(200, "application/json", Payload.ofUtf8("1"))),
                new Completion(ID, 2, Outcome.failure(400, "no")),
                new AttemptFailed(ID, 1, new Failure(503, "busy"), 2_000L),
                new RenewLease(ID, 3),
                new FireTimer(ID, "LEASE", 3, 1_764_000_000_000L),
                new FireTimer(ID, "START", 0, 0L),
                new Attach(ID, REPLY_TO),
                new GetOutput(ID, REPLY_TO),
                new Cancel(ID, REPLY_TO),
                new Kill(ID, REPLY_TO),
                new Purge(ID, REPLY_TO),
                new Resume(ID, REPLY_TO),
                new Detach(ID, "ingress-1"));
    }

    @ParameterizedTest
    @MethodSource("everyCommand")
    void everyCommandFerryWritesMatchesItsSchema(Command command) {
        String json = Json.writeString(command);
        assertThat(SCHEMAS.problems(command.getClass().getSimpleName(), json)).as(json).isEmpty();
    }

    @Test
    void theResultAndFailureRecordsMatchTheirSchemas() {
        InvocationResult result = new InvocationResult(ID, GREET, "k", InvocationResult.SUCCEEDED,
                new Outcome.Success(200, "application/json", Payload.ofUtf8("{}")), null, 1, 5, 6);
        assertThat(SCHEMAS.problems("InvocationResult", Json.writeString(result))).isEmpty();
        FailedInvocation failed = new FailedInvocation(ID, GREET, null, new Failure(409, "killed"), null,
                List.of(), Payload.EMPTY, 2, 5, 6);
        assertThat(SCHEMAS.problems("FailedInvocation", Json.writeString(failed))).isEmpty();
    }

    @Test
    void theReadmesExamplesAreValidInvokes() {
        assertThat(SCHEMAS.problems("Invoke", "{\"type\":\"Invoke\",\"target\":{\"service\":\"Counter\","
                + "\"handler\":\"add\",\"key\":\"my-counter\"},\"body\":5}")).isEmpty();
        assertThat(SCHEMAS.problems("Invoke", "{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\","
                + "\"handler\":\"greet\"},\"idempotencyKey\":\"order-42\",\"body\":{\"name\":\"Order 42\"}}"))
                .isEmpty();
    }

    @Test
    void aBrokenInvokeIsRefusedWithEveryProblemNamed() {
        List<String> problems = SCHEMAS.problems("Invoke",
                "{\"type\":\"Invoke\",\"target\":{\"service\":\"Greeter\"},\"delay\":10,\"extra\":true,"
                        + "\"invocationId\":\"inv_nope\"}");
        assertThat(String.join("\n", problems)).contains("handler", "delay", "extra", "invocationId");
    }

    @Test
    void anUnknownTypeHasNoSchema() {
        assertThat(SCHEMAS.problems("Teleport", "{}")).containsExactly("unknown record type 'Teleport'");
        assertThat(SCHEMAS.schema("../../etc/passwd")).isNull();
        assertThat(new String(Json.write(everyCommand().get(0)), StandardCharsets.UTF_8)).contains("\"type\":\"Invoke\"");
    }
}
