package dev.ferry.ingress;

import dev.ferry.client.ProcessorClient;
import dev.ferry.http.HttpError;
import dev.ferry.http.RequestBodies;
import dev.ferry.protocol.AwakeableId;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Payload;
import dev.ferry.schemas.commands.Failure;
import dev.ferry.schemas.commands.Notify;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Awakeables resolved or rejected from outside, as Restate 1.7's ingress takes them:
 * {@code POST /restate/awakeables/{id}/resolve} (the body is the value, as is, of any content type; empty is an
 * empty value) and {@code POST /restate/awakeables/{id}/reject} (the body is the failure's message, read as UTF-8;
 * the failure's code is 500, Restate's {@code INTERNAL}). {@code /restate/a/…} is Restate's short form of the same.
 *
 * <p>Either becomes a {@link Notify} of the awakeable's signal index for the invocation the id names, appended like
 * every command about that invocation (on the partition of the partition key inside the id), and is answered
 * {@code 202} with an empty body once the log has it. Like Restate, the ingress does not look whether the invocation
 * exists or waits for that signal: an invocation that is gone, or does not know the signal, ignores it.
 *
 * <p>The order of the checks is Restate's: the path (400, or 404 for a last segment other than {@code resolve} or
 * {@code reject}), then the method (405), then the body (413 over the limit), then the id (400).
 */
public final class Awakeables {
    static final String BAD_PATH =
            "bad path, expected either /restate/awakeables/:id/resolve or /restate/awakeables/:id/reject";
    /** The code of a rejection's failure: Restate's {@code codes::INTERNAL} (older Restate used 2, UNKNOWN). */
    static final int REJECTION_CODE = 500;

    /** Restate's id resource types; an id of another prefix is "unrecognized". */
    private static final Set<String> RESOURCE_TYPES = Set.of("inv", "dp", "sub", "prom", "sign", "snap", "mut", "vq");
    /** A legacy ({@code prom_1}) awakeable id's bytes: invocation id, then a u32 journal index. */
    private static final int LEGACY_ID_BYTES = AwakeableId.INVOCATION_ID_LENGTH + Integer.BYTES;

    /** Resolve or reject. */
    enum Action {
        RESOLVE("resolve"),
        REJECT("reject");

        private final String segment;

        Action(String segment) {
            this.segment = segment;
        }

        String segment() {
            return segment;
        }
    }

    /** A parsed awakeable URL: the id as written (not yet checked) and what to do with it. */
    record AwakeableRequest(String awakeableId, Action action) {}

    private final ProcessorClient processor;

    public Awakeables(ProcessorClient processor) {
        this.processor = processor;
    }

    /** {@code /restate/awakeables/…} and {@code /restate/a/…}: {@code rawRest} is what follows the prefix's slash. */
    public void handle(ServerRequest req, ServerResponse res, String rawRest) {
        AwakeableRequest request = parsePath(rawRest);
        if (!req.prologue().method().equals(Method.POST)) {
            throw HttpError.methodNotAllowed();
        }
        byte[] body = RequestBodies.bytes(req);
        AwakeableId id = parseId(request.awakeableId());
        req.context().register(new IngressOperation(request.action().segment(), "", ""));
        processor.tell(notify(id, request.action(), body));
        res.status(Status.ACCEPTED_202);
        res.send();
    }

    /**
     * Parses what follows {@code /restate/awakeables/}: {@code {id}/resolve} or {@code {id}/reject}, read as Restate
     * reads it: the id is taken as written (not percent-decoded), and segments after the action are ignored.
     *
     * @param rawRest null or empty when the path stops at {@code /restate/awakeables}
     * @throws HttpError 400 when the id or the action is missing, 404 for another action
     */
    static AwakeableRequest parsePath(String rawRest) {
        if (rawRest == null) {
            throw HttpError.badRequest(BAD_PATH);
        }
        String[] segments = rawRest.split("/", -1);
        if (segments.length < 2) {
            throw HttpError.badRequest(BAD_PATH);
        }
        return switch (segments[1]) {
            case "resolve" -> new AwakeableRequest(segments[0], Action.RESOLVE);
            case "reject" -> new AwakeableRequest(segments[0], Action.REJECT);
            default -> throw HttpError.notFound("not found");
        };
    }

    /**
     * The awakeable the id names.
     *
     * @throws HttpError 400 {@code bad awakeable id '<id>': <reason>}, with the reason Restate 1.7 gives
     */
    static AwakeableId parseId(String text) {
        try {
            return AwakeableId.parse(text);
        } catch (AwakeableId.InvalidAwakeableIdException e) {
            String reason = restateReason(text);
            throw HttpError.badRequest("bad awakeable id '" + text + "': " + (reason != null ? reason : e.getMessage()));
        }
    }

    /**
     * The reason Restate 1.7 gives for an id that is not a valid {@code sign_1} id. Restate tries such an id as a
     * signal id and then as a legacy awakeable id ({@code prom_1}), and answers the legacy parse's reason: so a
     * damaged {@code sign_1…} id "doesn't match the expected type", base64 that does not decode is a
     * "base62 decode error" (its display text), and the checks go in its order (the version before the type).
     *
     * @return null when Restate would take the id (a well-formed {@code prom_1} id, which Ferry does not: its
     *     journals never hand one out), so the caller gives Ferry's own reason
     */
    static String restateReason(String text) {
        if (text.isEmpty()) {
            return "bad length";
        }
        int separator = text.indexOf('_');
        if (separator < 0) {
            return "bad format";
        }
        String resourceType = text.substring(0, separator);
        if (!RESOURCE_TYPES.contains(resourceType)) {
            return "unrecognized resource type: " + resourceType;
        }
        int version = separator + 1;
        // Restate takes the version as the next byte: a character that is not one byte is not a version of length 1.
        if (text.length() == version || text.charAt(version) > 0x7f) {
            return "bad length";
        }
        if (text.charAt(version) != '1') {
            return "unrecognized codec version";
        }
        if (!resourceType.equals("prom")) {
            return "id doesn't match the expected type";
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(text.substring(version + 1));
        } catch (IllegalArgumentException e) {
            return "base62 decode error";
        }
        return decoded.length != LEGACY_ID_BYTES ? "bad length" : null;
    }

    /** The command: the body as the value, or for a rejection as the failure's message (invalid UTF-8 replaced). */
    static Notify notify(AwakeableId id, Action action, byte[] body) {
        InvocationId invocationId = InvocationId.fromBytes(id.invocationId());
        return action == Action.RESOLVE
                ? new Notify(invocationId, null, id.signalIndex(), null, Payload.of(body), null)
                : new Notify(invocationId, null, id.signalIndex(), null, null,
                        new Failure(REJECTION_CODE, new String(body, StandardCharsets.UTF_8)));
    }
}
