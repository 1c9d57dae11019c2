package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Requests to a Ferry's admin API, over the JDK's HTTP client. An answer that is not 2xx, or no answer, is a
 * {@link RequestFailed} whose message says what went wrong in the admin API's own words where it gave some.
 */
final class AdminClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Registering a deployment discovers it, and creating a subscription asks Kafka: both can take seconds. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final String token;
    private final HttpClient http;

    /** An answer of the admin API: its status and body (empty when it sent none). */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new RequestFailed("the admin API answered " + status + " with a body that is not JSON: "
                        + Table.cut(body, 200));
            }
        }
    }

    /** A request that failed: the message is for the operator, as it is. */
    static final class RequestFailed extends RuntimeException {
        RequestFailed(String message) {
            super(message);
        }
    }

    /**
     * @param baseUrl the admin API's base URL, such as {@code http://127.0.0.1:9070}
     * @param token its bearer token; empty for none
     * @throws IllegalArgumentException when the URL is not an absolute http or https URL
     */
    AdminClient(String baseUrl, String token) {
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + baseUrl + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + baseUrl + "' is not an http:// or https:// URL");
        }
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    /**
     * Sends one request and returns its 2xx answer.
     *
     * @param path the path and query, with each segment from the user already {@link #segment encoded}
     * @param body a JSON body, or null for none
     */
    Answer send(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(ANSWER_TIMEOUT)
                .header("accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null || !method.equals("GET")) {
            // The JDK's client sends "content-length: 0" for a PATCH or DELETE without a body, which the admin
            // API's cross-site guard counts as a body that must say it is JSON.
            request.header("content-type", "application/json");
        }
        if (!token.isEmpty()) {
            request.header("authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new RequestFailed("cannot reach the admin API at " + base + " (" + reason(e) + "): is Ferry running"
                    + " there? Set " + CliSetting.ADMIN_URL.env() + " or " + CliSetting.ADMIN_URL.flag());
        } catch (HttpTimeoutException e) {
            throw new RequestFailed("the admin API at " + base + " did not answer " + method + " " + path
                    + " within " + ANSWER_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new RequestFailed("the admin API at " + base + " failed " + method + " " + path + ": " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestFailed("interrupted");
        }
        Answer answer = new Answer(response.statusCode(), response.body());
        if (answer.status() / 100 != 2) {
            throw new RequestFailed(failure(base, token, method, path, answer));
        }
        return answer;
    }

    /** What an answer that is not 2xx tells the operator. */
    static String failure(String base, String token, String method, String path, Answer answer) {
        if (answer.status() == 401) {
            return token.isEmpty()
                    ? "the admin API at " + base + " needs a token (401): set " + CliSetting.ADMIN_TOKEN.env()
                            + " or pass " + CliSetting.ADMIN_TOKEN.flag()
                    : "the admin API at " + base + " refused the token (401): check " + CliSetting.ADMIN_TOKEN.env()
                            + " or " + CliSetting.ADMIN_TOKEN.flag();
        }
        return method + " " + path + " answered " + answer.status() + ": " + message(answer);
    }

    /** The admin API's own words: the {@code message} of its JSON error, else its body as text. */
    private static String message(Answer answer) {
        if (answer.body().isBlank()) {
            return "(no message)";
        }
        try {
            JsonNode error = JSON.readTree(answer.body());
            if (error != null && error.path("message").isTextual()) {
                return error.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // a plain-text error, as some of Restate's are
        }
        return Table.cut(answer.body().strip(), 500);
    }

    /** The first message in the exception's causes: the JDK's client often wraps one without a message. */
    private static String reason(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    /** One path segment from the user (an id, a service name), encoded. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?name=value&…} of the parameters that are not null, in their order; empty when none is. */
    static String query(Map<String, ?> parameters) {
        Map<String, Object> given = new LinkedHashMap<>();
        parameters.forEach((name, value) -> {
            if (value != null) {
                given.put(name, value);
            }
        });
        if (given.isEmpty()) {
            return "";
        }
        return given.entrySet().stream()
                .map(p -> p.getKey() + "=" + URLEncoder.encode(p.getValue().toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&", "?", ""));
    }
}
