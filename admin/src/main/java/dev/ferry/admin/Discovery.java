package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.http.HttpError;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.EndpointManifest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Asks a service endpoint what it serves: {@code GET {uri}/discover}, which answers with its manifest. */
final class Discovery {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient client;

    Discovery(HttpClient client) {
        this.client = client;
    }

    /** @throws HttpError 400 naming what went wrong: unreachable, an error status, not a manifest */
    EndpointManifest discover(URI base) {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/discover");
        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw unreachable(uri, "connection refused, is the service running?");
        } catch (HttpTimeoutException e) {
            throw unreachable(uri, "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw unreachable(uri, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(uri, "interrupted");
        }
        if (response.statusCode() != 200) {
            throw HttpError.of(400, "[META0003] error when calling '" + uri + "': the endpoint answered HTTP "
                    + response.statusCode() + "; it must answer 200 with its manifest", "META0003");
        }
        try {
            return Json.read(response.body(), EndpointManifest.class);
        } catch (JsonProcessingException e) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + e.getOriginalMessage(), "META0014");
        } catch (IOException e) {
            throw HttpError.of(400, "[META0014] the manifest from '" + uri + "' is not valid: "
                    + e.getMessage(), "META0014");
        }
    }

    private static HttpError unreachable(URI uri, String reason) {
        return HttpError.of(400, "[META0003] error when calling '" + uri + "': " + reason, "META0003");
    }
}
