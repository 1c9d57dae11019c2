package dev.ferry.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpAnswers;
import dev.ferry.http.HttpError;
import dev.ferry.http.RequestBodies;
import dev.ferry.registry.RegisteredService;
import dev.ferry.registry.RegistryView;
import dev.ferry.registry.RegistryWriter;
import dev.ferry.schemas.InvocationId;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.ResourceId;
import dev.ferry.schemas.deployments.Subscription;
import dev.ferry.schemas.results.ResultTopics;
import dev.ferry.subscriptions.SubscriptionRunner;
import dev.ferry.subscriptions.SubscriptionSpec;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The admin API's subscriptions: {@code POST /subscriptions}, {@code GET /subscriptions[/{id}]},
 * {@code DELETE /subscriptions/{id}}. A subscription turns each record of a Kafka topic into an invocation of a
 * handler; {@link SubscriptionRunner} runs them.
 */
public final class SubscriptionsApi implements HttpService {
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(10);

    private final ResultTopics resultTopics;
    private final RegistryView registryView;
    private final RegistryWriter registryWriter;
    private final Map<String, Map<String, String>> clusters;
    /** One registration at a time, so the same subscription posted twice at once is created once. */
    private final Object creating = new Object();

    /** @param clusters Kafka client properties by cluster name, {@code default} included */
    /** @param resultTopics where a subscription's {@code result_topic} may point */
    public SubscriptionsApi(RegistryView registryView, RegistryWriter registryWriter,
            Map<String, Map<String, String>> clusters, ResultTopics resultTopics) {
        this.resultTopics = resultTopics;
        this.registryView = registryView;
        this.registryWriter = registryWriter;
        this.clusters = clusters;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
                .get("/", this::list)
                .get("/{id}", this::get)
                .delete("/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(RequestBodies.bytes(req));
        } catch (JsonProcessingException e) {
            throw HttpError.plainText(400, "Failed to parse the request body as JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw HttpError.plainText(400, "Failed to parse the request body as JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject() || !body.path("source").isTextual() || !body.path("sink").isTextual()) {
            throw HttpError.plainText(422, "Failed to deserialize the JSON body into the target type: expected "
                    + "{\"source\":\"kafka://{cluster}/{topic}\",\"sink\":\"service://{Service}/{handler}\"}");
        }
        String source = body.get("source").asText();
        String sink = body.get("sink").asText();
        Map<String, String> options = new LinkedHashMap<>();
        if (body.has("options")) {
            if (!body.get("options").isObject()) {
                throw HttpError.of(400, "options must be an object of strings");
            }
            body.get("options").properties().forEach(o -> options.put(o.getKey(), o.getValue().asText()));
        }
        SubscriptionSpec spec;
        try {
            spec = SubscriptionSpec.parse(source, sink);
            SubscriptionSpec.checkOptions(options, resultTopics);
        } catch (SubscriptionSpec.InvalidSubscription e) {
            throw HttpError.of(400, e.getMessage());
        }
        Map<String, String> cluster = clusters.get(spec.cluster());
        if (cluster == null) {
            throw HttpError.of(400, "unknown cluster '" + spec.cluster() + "'; configured: " + clusters.keySet());
        }
        RegisteredService service = registryView.registry().service(spec.service()).orElseThrow(() ->
                HttpError.of(400, "service '" + spec.service() + "' is not registered"));
        if (service.handler(spec.handler()) == null) {
            throw HttpError.of(400, "the service '" + spec.service() + "' has no handler '" + spec.handler() + "'");
        }
        checkTopicExists(cluster, spec);
        if (options.containsKey("result_topic")) {
            createTopic(clusters.get("default"), options.get("result_topic"));
        }
        synchronized (creating) {
            Optional<Subscription> existing = registryView.registry().subscriptions().stream()
                    .filter(s -> s.source().equals(source) && s.sink().equals(sink) && s.options().equals(options))
                    .findFirst();
            if (existing.isPresent()) {
                respond(res, 200, existing.get());
                return;
            }
            Subscription subscription = new Subscription(ResourceId.random(ResourceId.SUBSCRIPTION), source, sink,
                    options, System.currentTimeMillis());
            try {
                registryView.awaitApplied(registryWriter.put(subscription), REGISTRY_WAIT);
            } catch (ExecutionException | TimeoutException e) {
                throw HttpError.of(503, "could not store the subscription: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw HttpError.of(503, "interrupted while storing the subscription");
            }
            res.header(HeaderNames.LOCATION, "subscriptions/" + subscription.id());
            respond(res, 201, subscription);
        }
    }

    private static void checkTopicExists(Map<String, String> cluster, SubscriptionSpec spec) {
        try (Admin admin = Admin.create(new LinkedHashMap<>(cluster))) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(spec.topic())) {
                throw HttpError.of(400, "topic '" + spec.topic() + "' does not exist on cluster '"
                        + spec.cluster() + "'");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw HttpError.of(400, "cannot reach cluster '" + spec.cluster() + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted");
        }
    }

    /** A subscription's own result topic is created on Ferry's cluster when it does not exist. */
    private static void createTopic(Map<String, String> cluster, String topic) {
        try (Admin admin = Admin.create(new LinkedHashMap<>(cluster))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                    .all().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw HttpError.of(400, "cannot create result topic '" + topic + "': " + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            throw HttpError.of(503, "cannot create result topic '" + topic + "': timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("subscriptions");
        registryView.registry().subscriptions().forEach(s -> list.add(json(s)));
        HttpAnswers.json(res, 200, body);
    }

    private void get(ServerRequest req, ServerResponse res) {
        respond(res, 200, subscription(req));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Subscription subscription = subscription(req);
        try {
            registryView.awaitApplied(registryWriter.remove(subscription.id()), REGISTRY_WAIT);
        } catch (ExecutionException | TimeoutException e) {
            throw HttpError.of(503, "could not remove the subscription: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.of(503, "interrupted while removing the subscription");
        }
        res.status(Status.ACCEPTED_202).send();
    }

    private Subscription subscription(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        try {
            ResourceId.validate(ResourceId.SUBSCRIPTION, id);
        } catch (InvocationId.InvalidIdException e) {
            throw HttpError.plainText(400, "Invalid URL: Cannot parse `subscription` with value `" + id + "`: "
                    + e.getMessage());
        }
        return registryView.registry().subscription(id).orElseThrow(() ->
                HttpError.of(404, "The requested subscription '" + id + "' does not exist"));
    }

    private static void respond(ServerResponse res, int status, Subscription subscription) {
        HttpAnswers.json(res, status, json(subscription));
    }

    private static ObjectNode json(Subscription subscription) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", subscription.id());
        node.put("source", subscription.source());
        node.put("sink", subscription.sink());
        node.set("options", Json.MAPPER.valueToTree(subscription.options()));
        return node;
    }
}
