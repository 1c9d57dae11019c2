package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry invocations ls|show|cancel|kill|purge|resume}: the admin API's {@code /invocations} (see the
 * README's "Managing invocations" for what each operation does).
 */
@Command(name = "invocations", description = "List, show and manage invocations (no subcommand: ls).",
        synopsisSubcommandLabel = "[ls | show | cancel | kill | purge | resume]",
        footer = {"", FerryCli.SETTINGS, FerryCli.EXIT_CODES})
final class InvocationsCommand extends ResourceCommand {
    private static final int FAILURE_WIDTH = 60;

    /** The filters and paging of {@code GET /invocations}, by their query parameter. */
    static final class Filters {
        @Option(names = "--status", paramLabel = "STATUS",
                description = "scheduled, inboxed, running, suspended, backing-off, paused or completed.")
        String status;

        @Option(names = "--service", paramLabel = "SERVICE", description = "Invocations of this service.")
        String service;

        @Option(names = "--handler", paramLabel = "HANDLER", description = "Invocations of this handler.")
        String handler;

        @Option(names = "--key", paramLabel = "KEY", description = "Of this object key or workflow id.")
        String key;

        @Option(names = "--limit", paramLabel = "N",
                description = "At most N (the admin API's default: 50, at most 200).")
        Integer limit;

        @Option(names = "--before", paramLabel = "CURSOR",
                description = "The page after the one that printed this cursor.")
        String before;

        /** The query string of these filters, such as {@code ?status=paused&service=Greeter}. */
        String query() {
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("status", status);
            parameters.put("service", service);
            parameters.put("handler", handler);
            parameters.put("key", key);
            parameters.put("limit", limit);
            parameters.put("before", before);
            return AdminClient.query(parameters);
        }
    }

    @Override
    int list() {
        return ls(new Filters());
    }

    @Command(name = "ls", description = "List invocations, newest first.")
    int ls(@Mixin Filters filters) {
        AdminClient.Answer answer = admin().get("/invocations" + filters.query());
        int code = cli.print(answer, InvocationsCommand::table);
        JsonNode page = answer.json();
        if (page.path("partial").asBoolean(false)) {
            cli.err().println("ferry: some partitions did not answer in time: invocations may be missing; ask again");
        }
        if (page.path("next_before").isTextual() && !cli.json()) {
            cli.err().println("more: add --before " + page.get("next_before").asText());
        }
        return code;
    }

    static Table table(JsonNode page) {
        Table table = Table.of("ID", "TARGET", "KEY", "STATUS", "ATTEMPTS", "CREATED", "LAST FAILURE");
        for (JsonNode invocation : page.path("invocations")) {
            JsonNode failure = invocation.has("completion_failure")
                    ? invocation.get("completion_failure") : invocation.get("last_failure");
            table.row(invocation.path("id").asText(), invocation.path("target").asText(),
                    Table.text(invocation.get("key")), status(invocation),
                    invocation.path("attempts").asText(), invocation.path("created_at").asText(),
                    Table.cut(Table.text(failure), FAILURE_WIDTH));
        }
        return table;
    }

    /** The status, and for a completed invocation how it ended: {@code completed (failure)}. */
    private static String status(JsonNode invocation) {
        String status = invocation.path("status").asText();
        return invocation.path("completion_result").isTextual()
                ? status + " (" + invocation.get("completion_result").asText() + ")" : status;
    }

    @Command(name = "show", description = "Print an invocation's details.")
    int show(@Parameters(paramLabel = "ID", description = "The invocation's id (inv_…).") String id) {
        // created_at_millis repeats created_at, for the UI's paging.
        return get("/invocations/" + AdminClient.segment(id),
                invocation -> Table.fieldsOf(invocation, Set.of("created_at_millis")));
    }

    @Command(name = "cancel", description = "Cancel invocations: 409 Cancelled for their callers; a running call's"
            + " connection is closed.")
    int cancel(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
        return manage("cancel", "cancellation requested", ids);
    }

    @Command(name = "kill", description = "Kill invocations at once: 409 killed for their callers.")
    int kill(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
        return manage("kill", "killed", ids);
    }

    @Command(name = "purge", description = "Forget completed invocations and their results (frees their keys).")
    int purge(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
        return manage("purge", "purged", ids);
    }

    @Command(name = "resume", description = "Run paused invocations again.")
    int resume(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
        return manage("resume", "resumed", ids);
    }

    /** {@code PATCH /invocations/{id}/{operation}} for each id; fails when any failed, after trying them all. */
    private int manage(String operation, String done, List<String> ids) {
        AdminClient admin = admin();
        int code = FerryCli.OK;
        for (String id : ids) {
            try {
                AdminClient.Answer answer = admin.send("PATCH",
                        "/invocations/" + AdminClient.segment(id) + "/" + operation, null);
                if (cli.json()) {
                    cli.printJson(answer);
                } else {
                    cli.out().println(done + ": " + id);
                }
            } catch (AdminClient.RequestFailed e) {
                cli.err().println("ferry: " + e.getMessage());
                code = FerryCli.FAILED;
            }
        }
        return code;
    }
}
