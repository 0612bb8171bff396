package dev.tether.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tether stats}: a running node's counters, per node and per stream. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Prints a running node's statistics.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() {
        try (AdminClient c = AdminClient.connect(admin.address, Duration.ofSeconds(5))) {
            c.request("GET", "/stats" + (json ? "?format=json" : ""), 0);
            c.flush();
            AdminClient.Response r = c.response(Duration.ofSeconds(10));
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            if (r.status() != 200) {
                spec.commandLine()
                        .getErr()
                        .println("tether stats: the node answered HTTP " + r.status() + ": " + body.strip());
                return ExitCode.FAILURE;
            }
            spec.commandLine().getOut().print(body);
            return ExitCode.OK;
        } catch (IOException e) {
            spec.commandLine().getErr().println("tether stats: " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }
}
