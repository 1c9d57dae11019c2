package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.http.HttpError;
import dev.ferry.http.RequestBodies;
import dev.ferry.schemas.Json;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;

/** Reading admin request bodies, with Restate's plain-text answers to what is not JSON. */
final class AdminRequests {
    private AdminRequests() {}

    static JsonNode readJson(ServerRequest req) {
        try {
            JsonNode body = Json.MAPPER.readTree(RequestBodies.bytes(req));
            if (body == null || body.isMissingNode()) {
                throw HttpError.plainText(400, "Failed to parse the request body as JSON: the body is empty");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw HttpError.plainText(400, "Failed to parse the request body as JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw HttpError.plainText(400, "Failed to parse the request body as JSON: " + e.getMessage());
        }
    }
}
