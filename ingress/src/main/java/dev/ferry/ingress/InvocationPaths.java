package dev.ferry.ingress;

import dev.ferry.http.HttpError;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.Registry;
import dev.ferry.registry.Targets;
import dev.ferry.schemas.Target;
import dev.ferry.schemas.deployments.HandlerManifest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The URL forms that invoke a handler, parsed and checked as Restate does: the path is split on '/' before
 * decoding, so an object key may contain an encoded slash ({@code /Counter/a%2Fb/add} is key {@code a/b});
 * keys are percent-decoded, service and handler names are taken as written; the service and handler must be
 * registered (404) and public (400).
 *
 * <ul>
 *   <li>classic: {@code /{Service}/{handler}[/send]}, {@code /{Object}/{key}/{handler}[/send]};
 *   <li>Restate 1.7: {@code /restate/call/{Service}/[{key}/]{handler}}, {@code /restate/send/…}.
 * </ul>
 */
public final class InvocationPaths {
    static final String BAD_CLASSIC_PATH =
            "bad path, expected either /:service-name/:handler or /:object-name/:object-key/:handler";
    static final String BAD_RESTATE_PATH = "bad path, expected /restate/call/:service/:handler, "
            + "/restate/send/:service/:handler, /restate/scope/:scope/call/:service/:handler, "
            + "/restate/attach/:invocation_id, /restate/output/:invocation_id, or /restate/lookup";

    /**
     * A handler that is not public ({@code ingressPrivate} in its manifest or its service's): Restate's ingress
     * answers 400 with this message ({@code HandlerError::PrivateService} in restatedev/restate,
     * crates/ingress-http/src/handler/error.rs), before it looks at the method, the headers or the body. Such a
     * handler is still called by other handlers ("only from other services", docs.restate.dev's
     * {@code ingressPrivate}): their calls reach the processor as commands of their journals, never through here.
     */
    static final String PRIVATE_HANDLER = "the invoked service is not public";

    /** A parsed invocation URL: what to call, and whether it is a one-way send. */
    public record InvocationRequest(Target target, boolean send) {}

    private InvocationPaths() {}

    /** Parses {@code /{Service}/{handler}[/send]} or {@code /{Object}/{key}/{handler}[/send]}. */
    public static InvocationRequest classic(String rawPath, Registry registry) {
        List<String> segments = segments(rawPath);
        if (segments.size() < 2) {
            throw HttpError.badRequest("bad path: " + rawPath);
        }
        RegisteredService service = service(registry, segments.get(0));
        int keySegments = service.manifest().ty().keyed() ? 1 : 0;
        int rest = segments.size() - 1 - keySegments;
        boolean send = rest == 2 && segments.get(segments.size() - 1).equals("send");
        if (rest < 1 || rest > 2 || (rest == 2 && !send)) {
            throw HttpError.badRequest(BAD_CLASSIC_PATH);
        }
        String key = keySegments == 1 ? decode(segments.get(1)) : null;
        return new InvocationRequest(target(service, segments.get(1 + keySegments), key), send);
    }

    /** Parses what follows {@code /restate/call/} or {@code /restate/send/}: {@code {Service}/[{key}/]{handler}}. */
    public static InvocationRequest restateForm(String rawRest, boolean send, Registry registry) {
        List<String> segments = segments("/" + rawRest);
        if (segments.size() < 2) {
            throw HttpError.badRequest(BAD_RESTATE_PATH);
        }
        RegisteredService service = service(registry, segments.get(0));
        int expected = service.manifest().ty().keyed() ? 3 : 2;
        if (segments.size() != expected) {
            throw HttpError.badRequest(BAD_RESTATE_PATH);
        }
        String key = expected == 3 ? decode(segments.get(1)) : null;
        return new InvocationRequest(target(service, segments.get(expected - 1), key), send);
    }

    /** The path's segments; one trailing slash is allowed ({@code /Greeter/greet/} is {@code /Greeter/greet}). */
    static List<String> segments(String rawPath) {
        String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (path.isEmpty()) {
            return List.of();
        }
        List<String> segments = new ArrayList<>(Arrays.asList(path.split("/", -1)));
        if (segments.size() > 1 && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        return segments;
    }

    private static RegisteredService service(Registry registry, String name) {
        return registry.service(name).orElseThrow(() -> HttpError.notFound(
                "service '" + name + "' not found, make sure to register the service before calling it."));
    }

    private static Target target(RegisteredService service, String handlerName, String key) {
        HandlerManifest handler = service.handler(handlerName);
        if (handler == null) {
            throw HttpError.notFound("the service '" + service.name() + "' exists, but the handler '" + handlerName
                    + "' was not found, check that the handler exists in the latest registered service version.");
        }
        if (!service.manifest().isPublic(handler)) {
            throw HttpError.badRequest(PRIVATE_HANDLER);
        }
        return Targets.of(service, handler, key);
    }

    static String decode(String segment) {
        try {
            // URLDecoder would turn '+' into a space; in a path '+' is a plus.
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("bad path: malformed percent-encoding in '" + segment + "'");
        }
    }
}
