package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry subscriptions [ls|add SOURCE SINK|rm ID]}: the admin API's {@code /subscriptions}. */
@Command(name = "subscriptions", description = "Subscribe handlers to Kafka topics, list and remove subscriptions"
        + " (no subcommand: ls).", synopsisSubcommandLabel = "[ls | add | rm]",
        footer = {"", FerryCli.SETTINGS, FerryCli.EXIT_CODES})
final class SubscriptionsCommand extends ResourceCommand {
    @Command(name = "ls", description = "List the subscriptions.")
    @Override
    int list() {
        return get("/subscriptions", SubscriptionsCommand::table);
    }

    static Table table(JsonNode answer) {
        Table table = Table.of("ID", "SOURCE", "SINK", "OPTIONS");
        for (JsonNode subscription : answer.path("subscriptions")) {
            table.row(subscription.path("id").asText(), subscription.path("source").asText(),
                    subscription.path("sink").asText(), options(subscription.path("options")));
        }
        return table;
    }

    private static String options(JsonNode options) {
        return options.properties().stream().map(o -> o.getKey() + "=" + o.getValue().asText())
                .collect(Collectors.joining(","));
    }

    @Command(name = "add", description = "Turn each record of a topic into an invocation of a handler. Adding the"
            + " same subscription again answers the first.")
    int add(@Parameters(index = "0", paramLabel = "SOURCE", description = "kafka://CLUSTER/TOPIC, such as"
                    + " kafka://default/orders.") String source,
            @Parameters(index = "1", paramLabel = "SINK", description = "service://SERVICE/HANDLER.") String sink,
            @Option(names = {"-o", "--option"}, paramLabel = "NAME=VALUE", description = "An option, such as"
                    + " auto.offset.reset=earliest or result_topic=order-results; repeatable.")
                    Map<String, String> options) {
        ObjectNode body = AdminClient.JSON.createObjectNode().put("source", source).put("sink", sink);
        if (options != null) {
            body.set("options", AdminClient.JSON.valueToTree(new LinkedHashMap<>(options)));
        }
        AdminClient.Answer answer = admin().send("POST", "/subscriptions", body);
        return cli.print(answer, subscription -> Table.fields()
                .row(answer.status() == 201 ? "subscribed" : "already subscribed", subscription.path("id").asText())
                .row("source", subscription.path("source").asText())
                .row("sink", subscription.path("sink").asText())
                .row("options", options(subscription.path("options"))));
    }

    @Command(name = "rm", description = "Remove a subscription: its records are no longer read.")
    int rm(@Parameters(paramLabel = "ID", description = "The subscription's id (sub_…).") String id) {
        return remove("/subscriptions/" + AdminClient.segment(id), id);
    }
}
