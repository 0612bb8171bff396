package dev.tether.cli;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    public Integer call() throws Exception {
        HttpClient http = admin.client();
        URI uri = admin.uri("/stats" + (json ? "?format=json" : ""));
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            spec.commandLine().getOut().print(r.body());
            return r.statusCode() == 200 ? 0 : 1;
        } catch (ConnectException e) {
            spec.commandLine().getErr().println(admin.unreachable("stats"));
            return 1;
        }
    }
}
