package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admin API against pages on other sites: what a cross-site HTML form or {@code fetch} can send without a CORS
 * preflight (a {@code text/plain} or form body, any {@code Origin}) is refused, while the UI (same origin), curl and
 * Restate's documented body-less {@code curl -X PATCH …/cancel} keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCrossSiteIT {
    private static final String ALLOWED = "https://ops.example.com";

    private FerryHarness ferry;
    private Http admin;
    private String registration;

    @BeforeAll
    void start() throws Exception {
        ferry = FerryHarness.onSharedKafka().with("FERRY_ADMIN_ALLOWED_ORIGINS", ALLOWED).start();
        ferry.registerExample();
        admin = ferry.admin();
        registration = "{\"uri\":\"http://127.0.0.1:" + ferry.example().port() + "\"}";
    }

    @AfterAll
    void stop() {
        ferry.close();
    }

    @Test
    void aTextPlainPostIs415WithTheAdminsErrorBody() throws IOException {
        Http.Response refused = admin.post("/deployments", bytes(registration), "content-type", "text/plain");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(415);
        JsonNode body = Json.MAPPER.readTree(refused.body());
        assertThat(body.get("message").asText()).contains("content-type: application/json").contains("text/plain");
        assertThat(body.has("restate_code")).isTrue();
    }

    @Test
    void aFormPostIs415() {
        Http.Response urlEncoded = admin.post("/deployments", bytes("uri=http%3A%2F%2F127.0.0.1%3A1"),
                "content-type", "application/x-www-form-urlencoded");
        assertThat(urlEncoded.status()).as(urlEncoded.toString()).isEqualTo(415);
        Http.Response multipart = admin.post("/deployments", bytes("--b\r\n\r\nx\r\n--b--\r\n"),
                "content-type", "multipart/form-data; boundary=b");
        assertThat(multipart.status()).as(multipart.toString()).isEqualTo(415);
    }

    @Test
    void aBodyWithoutAContentTypeIs415AndSoIsAnyOtherContentTypeWithoutABody() {
        Http.Response noType = admin.post("/deployments", bytes(registration));
        assertThat(noType.status()).as(noType.toString()).isEqualTo(415);
        Http.Response emptyPlain = admin.method("PATCH", "/services/Greeter", null, "content-type", "text/plain");
        assertThat(emptyPlain.status()).as(emptyPlain.toString()).isEqualTo(415);
        Http.Response deleteWithBody = admin.method("DELETE", "/subscriptions/sub_1nothing", "{}",
                "content-type", "text/plain");
        assertThat(deleteWithBody.status()).as(deleteWithBody.toString()).isEqualTo(415);
    }

    @Test
    void aForeignOriginIs403EvenWithJson() throws IOException {
        Http.Response post = admin.postJson("/deployments", registration, "origin", "http://evil.example");
        assertThat(post.status()).as(post.toString()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(post.body()).get("message").asText())
                .contains("origin 'http://evil.example' are not allowed").contains("FERRY_ADMIN_ALLOWED_ORIGINS");
        Http.Response get = admin.get("/services", "origin", "http://evil.example");
        assertThat(get.status()).as(get.toString()).isEqualTo(403);
        Http.Response otherPort = admin.get("/services", "origin", "http://127.0.0.1:1");
        assertThat(otherPort.status()).as("another port is another origin").isEqualTo(403);
        Http.Response sandboxed = admin.get("/services", "origin", "null");
        assertThat(sandboxed.status()).isEqualTo(403);
    }

    @Test
    void theUisOwnOriginAndAnAllowedOriginWork() {
        String own = "http://127.0.0.1:" + ferry.server().adminPort();
        // What the UI's fetch sends: same origin, JSON with its content type; a PATCH without a body.
        Http.Response registered = admin.postJson("/deployments", registration, "origin", own);
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        Http.Response patched = admin.method("PATCH", "/services/Greeter", "{\"max_wait\":null}",
                "content-type", "application/json; charset=utf-8", "origin", own);
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(admin.get("/services", "origin", own).status()).isEqualTo(200);
        assertThat(admin.get("/services", "origin", ALLOWED).status()).isEqualTo(200);
        assertThat(admin.get("/services", "origin", ALLOWED + ":443").status()).isEqualTo(200);
    }

    @Test
    void aBodylessCurlStylePatchStillWorks() {
        Http.Response sent = ferry.ingress().postJson("/Greeter/slow/send?delay=1h", "{\"ms\":1}");
        assertThat(sent.status()).isEqualTo(202);
        String id = sent.header("x-restate-id");

        Http.Response cancelled = admin.method("PATCH", "/invocations/" + id + "/cancel", null);
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(202);
        Http.Response purged = admin.method("DELETE", "/invocations/" + id + "?mode=purge", null);
        assertThat(purged.status()).as(purged.toString()).isIn(200, 202);
    }

    @Test
    void getsAndHealthChecksNeedNoContentType() {
        assertThat(admin.get("/services").status()).isEqualTo(200);
        assertThat(admin.get("/health").status()).isEqualTo(200);
        assertThat(admin.get("/ui/app.js", "origin", "http://127.0.0.1:" + ferry.server().adminPort()).status())
                .as("the UI's module scripts, fetched with their origin").isEqualTo(200);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
