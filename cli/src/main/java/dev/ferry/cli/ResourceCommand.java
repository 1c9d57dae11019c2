package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What the commands of one admin resource ({@code invocations}, {@code services}, ...) share: the root command's
 * settings and output, and that the resource's command without a subcommand lists it.
 */
abstract class ResourceCommand implements Callable<Integer> {
    @ParentCommand
    FerryCli cli;

    @Spec
    private CommandSpec spec;

    /** {@code ls}, the resource's list. */
    abstract int list();

    @Override
    public Integer call() {
        return list();
    }

    AdminClient admin() {
        return cli.admin(spec.commandLine());
    }

    /** {@code GET path}, printed as {@link FerryCli#print} does. */
    int get(String path, Function<JsonNode, Table> table) {
        return cli.print(admin().get(path), table);
    }

    /** {@code DELETE path} of the resource {@code id}; says so. */
    int remove(String path, String id) {
        AdminClient.Answer answer = admin().send("DELETE", path, null);
        if (cli.json()) {
            cli.printJson(answer);
        } else {
            cli.out().println("removed: " + id);
        }
        return FerryCli.OK;
    }
}
