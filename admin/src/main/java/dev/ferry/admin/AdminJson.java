package dev.ferry.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.registry.InputRules;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.ServiceSettings;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.deployments.Deployment;
import dev.ferry.schemas.deployments.HandlerManifest;
import dev.ferry.schemas.deployments.HandlerType;
import dev.ferry.schemas.deployments.ServiceManifest;
import dev.ferry.schemas.deployments.ServiceProtocol;
import java.util.function.Function;

/** The admin API's JSON shapes, as Restate's admin API writes them (snake_case, durations like {@code 1d}). */
final class AdminJson {
    private AdminJson() {}

    /** A service with the settings in force for it, as Restate shows it, plus the settings Ferry adds. */
    static ObjectNode service(RegisteredService service, ServiceSettings settings) {
        ServiceManifest manifest = service.manifest();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("name", manifest.name());
        node.put("ty", manifest.ty().adminName());
        ArrayNode handlers = node.putArray("handlers");
        for (HandlerManifest handler : manifest.handlers()) {
            handlers.add(handler(manifest, handler));
        }
        if (manifest.documentation() != null) {
            node.put("documentation", manifest.documentation());
        }
        if (manifest.metadata() != null && !manifest.metadata().isEmpty()) {
            node.set("metadata", Json.MAPPER.valueToTree(manifest.metadata()));
        }
        node.put("deployment_id", service.deployment().id());
        node.put("revision", service.deployment().revision());
        node.put("public", manifest.isPublic());
        settings.writeView(node, manifest.ty());
        return node;
    }

    static ObjectNode handler(ServiceManifest service, HandlerManifest handler) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("name", handler.name());
        HandlerType type = handler.effectiveType(service.ty());
        if (type != null) {
            node.put("ty", switch (type) {
                case EXCLUSIVE -> "Exclusive";
                case SHARED -> "Shared";
                case WORKFLOW -> "Workflow";
            });
        }
        if (handler.documentation() != null) {
            node.put("documentation", handler.documentation());
        }
        node.put("public", service.isPublic(handler));
        node.put("input_description", InputRules.of(handler).description());
        node.put("output_description", outputDescription(handler.output()));
        if (handler.input() != null && handler.input().jsonSchema() != null) {
            node.set("input_json_schema", handler.input().jsonSchema());
        }
        if (handler.output() != null && handler.output().jsonSchema() != null) {
            node.set("output_json_schema", handler.output().jsonSchema());
        }
        ObjectNode retry = node.putObject("retry_policy");
        if (handler.retryPolicyMaxAttempts() != null) {
            retry.put("max_attempts", handler.retryPolicyMaxAttempts());
        } else {
            retry.putNull("max_attempts");
        }
        return node;
    }

    /** A deployment in the list: its services by name and revision. */
    static ObjectNode deploymentSummary(Deployment deployment) {
        ObjectNode node = deploymentHeader(deployment);
        ArrayNode services = node.putArray("services");
        for (ServiceManifest service : deployment.services()) {
            services.addObject().put("name", service.name()).put("revision", deployment.revision());
        }
        return node;
    }

    /** One deployment with its services in full. */
    static ObjectNode deploymentDetail(Deployment deployment, ServiceSettings defaults) {
        ObjectNode node = deploymentHeader(deployment);
        node.set("services", services(deployment, defaults));
        return node;
    }

    /** What registering answers: the id and the deployment's services in full. */
    static ObjectNode registration(Deployment deployment, ServiceSettings defaults) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", deployment.id());
        node.set("services", services(deployment, defaults));
        return node;
    }

    private static ArrayNode services(Deployment deployment, ServiceSettings defaults) {
        ArrayNode services = Json.MAPPER.createArrayNode();
        for (ServiceManifest service : deployment.services()) {
            services.add(service(new RegisteredService(service, deployment),
                    defaults.overriddenBy(service, null, null)));
        }
        return services;
    }

    private static ObjectNode deploymentHeader(Deployment deployment) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", deployment.id());
        node.put("uri", deployment.uri());
        ServiceProtocol protocol = deployment.protocol();
        node.put("protocol_type", protocol == null ? "RequestResponse" : protocol.protocolType());
        node.put("http_version", protocol == null ? "HTTP/1.1" : protocol.httpVersion());
        if (protocol != null) { // a service written with a Restate SDK: Restate's fields
            node.put("min_protocol_version", protocol.minVersion());
            node.put("max_protocol_version", protocol.maxVersion());
            node.put("protocol_version", protocol.version());
            if (protocol.sdk() != null) {
                node.put("sdk_version", protocol.sdk());
            }
        }
        node.put("created_at", HttpAnswers.executionTime(deployment.createdAt()));
        if (deployment.signingKey() != null) {
            node.put("signed_requests", true); // the key itself is never shown
        }
        return node;
    }

    private static String outputDescription(HandlerManifest.Output output) {
        if (output == null) {
            return "application/json";
        }
        Function<JsonNode, String> fromSchema = schema -> {
            if (schema.path("title").isTextual()) {
                return "JSON '" + schema.get("title").asText() + "'";
            }
            return schema.path("type").isTextual() ? "JSON " + schema.get("type").asText() : null;
        };
        if (output.jsonSchema() != null) {
            String described = fromSchema.apply(output.jsonSchema());
            if (described != null) {
                return described;
            }
        }
        if (output.contentType() == null) {
            return "none";
        }
        return Boolean.TRUE.equals(output.setContentTypeIfEmpty())
                ? "optional " + output.contentType()
                : output.contentType();
    }
}
