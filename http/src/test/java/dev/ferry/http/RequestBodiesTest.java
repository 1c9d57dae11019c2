package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies read on a real Helidon server, sent with a length, chunked, and not at all. */
class RequestBodiesTest {
    private static WebServer server;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        // Answers with the hex of the bytes read, so the test sees exactly what the handler got.
        server = WebServer.builder().port(0)
                .routing(r -> r.post("/echo", (req, res) -> res.send(HexFormat.of().formatHex(RequestBodies.bytes(req)))))
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 16_383, 16_384, 16_385, 100_000})
    void aBodyWithALengthIsReadWhole(int length) throws Exception {
        byte[] body = bytes(length);

        assertThat(post(HttpRequest.BodyPublishers.ofByteArray(body))).isEqualTo(HexFormat.of().formatHex(body));
    }

    @Test
    void aChunkedBodyIsReadWhole() throws Exception {
        byte[] body = bytes(40_000);
        // An input stream has no known length: the client sends it chunked.
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));

        assertThat(post(chunked)).isEqualTo(HexFormat.of().formatHex(body));
    }

    @Test
    void noBodyIsEmpty() throws Exception {
        assertThat(post(HttpRequest.BodyPublishers.noBody())).isEmpty();
    }

    private static byte[] bytes(int length) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) (i * 31 + 7);
        }
        return body;
    }

    private static String post(HttpRequest.BodyPublisher body) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/echo")).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
