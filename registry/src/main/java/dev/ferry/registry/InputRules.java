package dev.ferry.registry;

import dev.ferry.schemas.deployments.HandlerManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * Restate's check of a request's content type and body against the handler's declared input, with Restate's
 * messages. The rules are tried in order; the request passes if one accepts it, otherwise the last rule's
 * complaint is the answer (400 "input validation error: …").
 *
 * <ul>
 *   <li>no {@code input} declared: no body and no content type, or any content type;
 *   <li>{@code input} declared: unless {@code required}, no body and no content type; then, with a
 *       {@code contentType}, that content type (a JSON handler also needs a non-empty body).
 * </ul>
 */
public final class InputRules {
    private final List<Rule> rules;
    private final String description;

    private sealed interface Rule permits NoBody, OfContentType {}

    private record NoBody() implements Rule {}

    /** @param nonEmpty a JSON schema is declared: the body must not be empty */
    private record OfContentType(ContentTypePattern pattern, boolean nonEmpty) implements Rule {}

    private InputRules(List<Rule> rules, String description) {
        this.rules = rules;
        this.description = description;
    }

    public static InputRules of(HandlerManifest handler) {
        HandlerManifest.Input input = handler.input();
        List<Rule> rules = new ArrayList<>();
        if (input == null) {
            rules.add(new NoBody());
            rules.add(new OfContentType(ContentTypePattern.ANY, false));
            return new InputRules(rules, "*/*");
        }
        if (!Boolean.TRUE.equals(input.required())) {
            rules.add(new NoBody());
        }
        String description = "none";
        if (input.contentType() != null) {
            ContentTypePattern pattern = ContentTypePattern.parse(input.contentType());
            boolean json = input.jsonSchema() != null;
            rules.add(new OfContentType(pattern, json));
            description = json ? jsonDescription(input) : pattern.toString();
        }
        return new InputRules(rules, description);
    }

    /** Restate's {@code input_description}: {@code *}{@code /*}, {@code none}, the content type, or the JSON schema's title. */
    public String description() {
        return description;
    }

    /**
     * Checks a request.
     *
     * @param contentType the content-type header as sent, null when absent
     * @return null when a rule accepts the request, else Restate's reason for a 400 ("input validation error: …")
     */
    public String check(String contentType, boolean emptyBody) {
        String complaint = "Bad configuration of the input validation rules";
        for (Rule rule : rules) {
            complaint = complaint(rule, contentType, emptyBody);
            if (complaint == null) {
                return null;
            }
        }
        return "input validation error: " + complaint;
    }

    /** Null when the rule accepts the request, else its reason. */
    private static String complaint(Rule rule, String contentType, boolean emptyBody) {
        return switch (rule) {
            case NoBody ignored -> emptyBody && contentType == null
                    ? null
                    : "Expected body and content-type to be empty, but wasn't with content-type '"
                            + (contentType == null ? "None" : "Some(\"" + contentType + "\")") + "'";
            case OfContentType ofType -> {
                if (contentType == null) {
                    yield "Empty content-type";
                }
                if (!ofType.pattern().matches(contentType)) {
                    yield "Content-type '" + contentType + "' does not match '" + ofType.pattern() + "'";
                }
                yield ofType.nonEmpty() && emptyBody ? "Empty body not allowed" : null;
            }
        };
    }

    private static String jsonDescription(HandlerManifest.Input input) {
        if (input.jsonSchema().path("title").isTextual()) {
            return "JSON '" + input.jsonSchema().get("title").asText() + "'";
        }
        if (input.jsonSchema().path("type").isTextual()) {
            return "JSON " + input.jsonSchema().get("type").asText();
        }
        return input.contentType();
    }

    /**
     * A declared content type: {@code *}{@code /*}, {@code type/*} or {@code type/subtype}. A request's content
     * type matches when, without its parameters, its type and subtype equal the declared ones exactly.
     */
    public record ContentTypePattern(String type, String subtype) {
        static final ContentTypePattern ANY = new ContentTypePattern("*", "*");

        public static ContentTypePattern parse(String declared) {
            String trimmed = declared.trim();
            int slash = trimmed.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException(
                        "can't parse the content-type '" + declared + "': must contain one /");
            }
            String type = trimmed.substring(0, slash);
            String subtype = trimmed.substring(slash + 1);
            if (type.equals("*") && !subtype.equals("*")) {
                throw new IllegalArgumentException("can't parse the content-type '" + declared
                        + "': the wildcard format */subType is not supported");
            }
            return new ContentTypePattern(type, subtype);
        }

        boolean matches(String contentType) {
            if (type.equals("*")) {
                return true;
            }
            int semicolon = contentType.indexOf(';');
            String bare = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
            int slash = bare.indexOf('/');
            if (slash < 0) {
                return false;
            }
            return bare.substring(0, slash).equals(type)
                    && (subtype.equals("*") || bare.substring(slash + 1).equals(subtype));
        }

        @Override
        public String toString() {
            return type + "/" + subtype;
        }
    }
}
