package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry deployments [ls|show ID|add URI|rm ID]}: the admin API's {@code /deployments}. */
@Command(name = "deployments", description = "Register, list and remove deployments (no subcommand: ls).",
        synopsisSubcommandLabel = "[ls | show | add | rm]",
        footer = {"", FerryCli.SETTINGS, FerryCli.EXIT_CODES})
final class DeploymentsCommand extends ResourceCommand {
    @Command(name = "ls", description = "List the deployments and their services.")
    @Override
    int list() {
        return get("/deployments", DeploymentsCommand::table);
    }

    static Table table(JsonNode answer) {
        Table table = Table.of("ID", "URI", "PROTOCOL", "SERVICES", "CREATED");
        for (JsonNode deployment : answer.path("deployments")) {
            table.row(deployment.path("id").asText(), deployment.path("uri").asText(),
                    deployment.path("protocol_type").asText(), Table.text(deployment.get("services")),
                    deployment.path("created_at").asText());
        }
        return table;
    }

    @Command(name = "show", description = "Print a deployment and its services.")
    int show(@Parameters(paramLabel = "ID", description = "The deployment's id (dp_…).") String id) {
        return get("/deployments/" + AdminClient.segment(id),
                deployment -> Table.fieldsOf(deployment, Set.of("services")).then(services(deployment)));
    }

    @Command(name = "add", description = "Register the service endpoint at URI: Ferry discovers what it serves"
            + " (GET URI/discover). Registering it again updates its services.")
    int add(@Parameters(paramLabel = "URI", description = "The endpoint, such as http://127.0.0.1:9080.") String uri) {
        AdminClient.Answer answer = admin()
                .send("POST", "/deployments", AdminClient.JSON.createObjectNode().put("uri", uri));
        return cli.print(answer, registered -> Table.fields()
                .row(answer.status() == 201 ? "registered" : "registered again", registered.path("id").asText())
                .then(services(registered)));
    }

    @Command(name = "rm", description = "Remove a deployment and its services.")
    int rm(@Parameters(paramLabel = "ID", description = "The deployment's id (dp_…).") String id) {
        return remove("/deployments/" + AdminClient.segment(id), id);
    }

    /** The services of a deployment in full, as registering and {@code show} answer them. */
    private static Table services(JsonNode deployment) {
        Table table = Table.of("SERVICE", "TYPE", "HANDLERS");
        for (JsonNode service : deployment.path("services")) {
            table.row(service.path("name").asText(), service.path("ty").asText(), Table.text(service.get("handlers")));
        }
        return table;
    }
}
