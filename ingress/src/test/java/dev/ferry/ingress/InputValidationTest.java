package dev.ferry.ingress;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Input validation reads bodies with the limits records are read with, so what Ferry carries it can check. */
class InputValidationTest {
    private final InputValidation validation = new InputValidation();

    @Test
    void aBodyNestedDeeperThanTheValidatorsOwnDefaultIsValidated() throws IOException {
        RegisteredService service = service("{\"type\":\"array\"}");
        byte[] deep = ("[".repeat(600) + "]".repeat(600)).getBytes(StandardCharsets.UTF_8);

        assertThatCode(() -> validation.check(service, service.manifest().handlers().get(0), deep))
                .doesNotThrowAnyException();
    }

    @Test
    void aBodyThatIsNotTheDeclaredShapeIsStillRefused() throws IOException {
        RegisteredService service = service("{\"type\":\"array\"}");

        assertThatThrownBy(() -> validation.check(service, service.manifest().handlers().get(0),
                "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HttpError.class)
                .hasMessageStartingWith("input validation error: ");
    }

    private static RegisteredService service(String schema) throws IOException {
        Deployment deployment = Json.read(("{\"id\":\"dp_1\",\"uri\":\"http://127.0.0.1:1\",\"createdAt\":0,"
                + "\"revision\":1,\"services\":[{\"name\":\"Deep\",\"ty\":\"SERVICE\",\"handlers\":[{\"name\":\"take\","
                + "\"input\":{\"contentType\":\"application/json\",\"jsonSchema\":" + schema + "}}]}]}")
                .getBytes(StandardCharsets.UTF_8), Deployment.class);
        return new RegisteredService(deployment.services().get(0), deployment);
    }
}
