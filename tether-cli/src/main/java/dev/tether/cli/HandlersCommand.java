package dev.tether.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tether handlers PEER}: the handlers a peer has, asked of the peer itself ({@code _list_handlers}). */
@Command(
        name = "handlers",
        mixinStandardHelpOptions = true,
        description = {
            "Asks node PEER, through a running node, which named handlers it has (its system handler _list_handlers)"
                    + " and prints their names, one per line, sorted.",
            "Exit codes: 0 done, 1 no answer (named on stderr)."
        })
final class HandlersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Parameters(index = "0", paramLabel = "PEER", description = "The node asked.")
    String peer;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "How long to wait for its answer: 500ms, 2s, 1m (default 10s).")
    Duration timeout = Duration.ofSeconds(10);

    @Option(names = "--json", description = "One JSON object: {\"node\":..., \"peer\":..., \"handlers\":[...]}.")
    boolean json;

    @Override
    public Integer call() {
        String path = "/handlers?peer=" + CallClient.enc(peer) + "&timeoutMs=" + timeout.toMillis()
                + (json ? "&format=json" : "");
        int code = CallClient.exchange(
                "handlers",
                admin.address,
                "GET",
                path,
                null,
                timeout,
                json,
                b -> new String(b, StandardCharsets.UTF_8),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return code == ExitCode.OK ? code : ExitCode.FAILURE; // a listing is never in doubt
    }
}
