package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry services [ls|show NAME]}: the admin API's {@code /services}. */
@Command(name = "services", description = "List the registered services, or show one (no subcommand: ls).",
        synopsisSubcommandLabel = "[ls | show]",
        footer = {"", FerryCli.SETTINGS, FerryCli.EXIT_CODES})
final class ServicesCommand extends ResourceCommand {
    @Command(name = "ls", description = "List the registered services.")
    @Override
    int list() {
        return get("/services", ServicesCommand::table);
    }

    static Table table(JsonNode answer) {
        Table table = Table.of("NAME", "TYPE", "HANDLERS", "DEPLOYMENT", "REVISION");
        for (JsonNode service : answer.path("services")) {
            table.row(service.path("name").asText(), service.path("ty").asText(),
                    Table.text(service.get("handlers")), service.path("deployment_id").asText(),
                    service.path("revision").asText());
        }
        return table;
    }

    @Command(name = "show", description = "Print a service's settings and handlers.")
    int show(@Parameters(paramLabel = "NAME", description = "The service's name.") String name) {
        return get("/services/" + AdminClient.segment(name), ServicesCommand::details);
    }

    /** A service's fields, then its handlers as a table of their own. */
    static Table details(JsonNode service) {
        Table fields = Table.fieldsOf(service, Set.of("handlers"));
        Table handlers = Table.of("HANDLER", "TYPE", "INPUT", "OUTPUT", "PUBLIC");
        for (JsonNode handler : service.path("handlers")) {
            handlers.row(handler.path("name").asText(), Table.text(handler.get("ty")),
                    Table.text(handler.get("input_description")), Table.text(handler.get("output_description")),
                    Table.text(handler.get("public")));
        }
        return fields.then(handlers);
    }
}
