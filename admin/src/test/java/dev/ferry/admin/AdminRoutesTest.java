package dev.ferry.admin;

import static dev.ferry.admin.AdminUnderTest.json;
import static dev.ferry.admin.InvocationsApiTest.assertAdminError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.http.FerryVersion;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.ResourceId;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admin port's routing table over HTTP: what each resource answers that needs no Kafka (the deployments as the
 * registry holds them, the UI's entry points), and what a path no resource serves is answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminRoutesTest {
    private final AdminUnderTest admin = new AdminUnderTest();

    @AfterAll
    void stop() {
        admin.close();
    }

    @Test
    void theDeploymentsAreListedWithTheirServicesByNameAndRevision() {
        HttpResponse<String> response = admin.get("/deployments");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode deployments = json(response).get("deployments");
        assertThat(deployments).hasSize(1);
        JsonNode deployment = deployments.get(0);
        assertThat(deployment.get("id").asText()).isEqualTo(AdminUnderTest.DEPLOYMENT_ID);
        assertThat(deployment.get("uri").asText()).isEqualTo(AdminUnderTest.DEPLOYMENT_URI);
        assertThat(deployment.get("protocol_type").asText()).isEqualTo("RequestResponse");
        assertThat(deployment.get("created_at").asText()).isEqualTo("2023-11-14T22:13:20.000000000Z");
        assertThat(deployment.has("signed_requests")).isFalse();
        assertThat(deployment.get("services").toString()).isEqualTo("[{\"name\":\"Greeter\",\"revision\":1},"
                + "{\"name\":\"Counter\",\"revision\":1},{\"name\":\"Signup\",\"revision\":1}]");
    }

    @Test
    void aDeploymentShowsItsServicesInFull() {
        JsonNode deployment = json(admin.get("/deployments/" + AdminUnderTest.DEPLOYMENT_ID));

        assertThat(deployment.get("id").asText()).isEqualTo(AdminUnderTest.DEPLOYMENT_ID);
        assertThat(deployment.get("services")).extracting(service -> service.get("ty").asText())
                .containsExactly("Service", "VirtualObject", "Workflow");
    }

    @Test
    void anUnknownDeploymentIs404AndAMalformedIdIs400InPlainText() {
        String unknown = ResourceId.random(ResourceId.DEPLOYMENT);
        assertAdminError(admin.get("/deployments/" + unknown), 404,
                "The requested deployment '" + unknown + "' does not exist");

        HttpResponse<String> malformed = admin.get("/deployments/dp_nope");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(malformed.body())
                .isEqualTo("Invalid URL: Cannot parse `deployment` with value `dp_nope`: unrecognized codec version");
    }

    @Test
    void aRegistrationWithoutAUriIs422AndOneWithARelativeUriIs400BeforeAnyDiscovery() {
        HttpResponse<String> noUri = admin.method("POST", "/deployments", "{\"url\":\"http://x\"}");
        HttpResponse<String> relative = admin.method("POST", "/deployments", "{\"uri\":\"/relative\"}");

        assertThat(noUri.statusCode()).isEqualTo(422);
        assertThat(noUri.body()).startsWith("Failed to deserialize the JSON body into the target type");
        assertAdminError(relative, 400, "the deployment uri must be an absolute http:// or https:// URL: '/relative'");
    }

    @Test
    void useHttp11MustBeABooleanAndIsCheckedBeforeAnyDiscovery() {
        HttpResponse<String> response = admin.method("POST", "/deployments",
                "{\"uri\":\"http://127.0.0.1:1\",\"use_http_11\":\"yes\"}");

        assertAdminError(response, 400, "use_http_11 must be true or false");
    }

    @Test
    void theRootAndUiRedirectToTheUiRelativelySoAPathPrefixBeforeThemStays() {
        for (String path : new String[] {"/", "/ui"}) {
            HttpResponse<String> response = admin.get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(308);
            assertThat(response.headers().firstValue("location")).as(path).hasValue("ui/");
            assertThat(URI.create("https://host/ferry" + path).resolve("ui/")).as(path)
                    .isEqualTo(URI.create("https://host/ferry/ui/"));
        }
    }

    @Test
    void versionTellsTheBuildAndWhereTheIngressAnswers() {
        JsonNode version = json(admin.get("/version"));

        assertThat(version.get("version").asText()).isEqualTo(FerryVersion.current().version())
                .matches("\\d+\\.\\d+\\.\\d+.*"); // the build's stamp, not a placeholder
        assertThat(version.get("commit").asText()).isEqualTo(FerryVersion.current().commit());
        assertThat(version.get("ingress_port").asInt()).isEqualTo(AdminUnderTest.INGRESS_PORT);
        assertThat(version.get("ingress_endpoint").asText())
                .isEqualTo("http://127.0.0.1:" + AdminUnderTest.INGRESS_PORT + "/");
        assertThat(version.has("public_ingress_url")).isFalse();
    }

    @Test
    void withAPublicIngressUrlVersionAndTheOpenApiDocumentsGiveIt() {
        try (AdminUnderTest proxied = new AdminUnderTest("https://api.example.com/ferry")) {
            JsonNode version = json(proxied.get("/version"));

            assertThat(version.get("public_ingress_url").asText()).isEqualTo("https://api.example.com/ferry");
            assertThat(version.get("ingress_endpoint").asText()).isEqualTo("https://api.example.com/ferry/");
            assertThat(version.get("ingress_port").asInt()).isEqualTo(AdminUnderTest.INGRESS_PORT);
            assertThat(json(proxied.get("/services/Greeter/openapi")).path("servers").path(0).path("url").asText())
                    .isEqualTo("https://api.example.com/ferry/");
        }
    }

    @Test
    void theAdminOpenApiDocumentDescribesTheDeadLetters() {
        JsonNode document = json(admin.get("/openapi"));

        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        JsonNode list = document.path("paths").path("/dead-letters").path("get");
        assertThat(list.path("operationId").asText()).isEqualTo("listDeadLetters");
        assertThat(list.path("parameters").path(0).path("name").asText()).isEqualTo("limit");
        assertThat(list.path("responses").fieldNames()).toIterable().containsExactly("200", "400", "503");
        assertThat(document.path("components").path("schemas").path("DeadLetter").path("properties").fieldNames())
                .toIterable().contains("timestamp", "topic", "partition", "offset", "reason", "source", "value");
    }

    @Test
    void deadLettersRefuseALimitOutOfRangeBeforeReadingKafka() {
        for (String limit : new String[] {"0", "201", "many"}) {
            assertAdminError(admin.get("/dead-letters?limit=" + limit), 400,
                    "limit must be a whole number from 1 to 200");
        }
    }

    @Test
    void theOpsServiceIsMountedBesideTheApi() {
        assertThat(admin.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aPathNoResourceServesIs404() {
        HttpResponse<String> nothing = admin.get("/nothing");
        assertThat(nothing.statusCode()).isEqualTo(404);
        assertThat(nothing.body()).isEqualTo("{\"message\":\"not found\",\"restate_code\":null}");
        assertThat(admin.get("/invocations/" + InvocationId.random(1) + "/kill/now").statusCode()).isEqualTo(404);
        assertThat(admin.get("/services/Greeter/handlers/greet/more").statusCode()).isEqualTo(404);
        assertThat(admin.method("DELETE", "/services/Greeter", null).statusCode()).isEqualTo(404);
        assertThat(admin.processor.untouched()).isTrue();
    }
}
