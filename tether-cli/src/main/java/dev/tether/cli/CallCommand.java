package dev.tether.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether call} and {@code tether request}: a synchronous call or a request of a peer's named handler through a
 * running node's admin endpoint (docs/MESSAGING.md).
 */
@Command(
        name = "call",
        mixinStandardHelpOptions = true,
        description = {
            "Calls handler HANDLER on node PEER through a running node and waits until it returned: prints ok, or the"
                    + " remote error. The payload is the PAYLOAD arguments joined by spaces, or stdin if there are"
                    + " none.",
            "Exit codes: 0 done, 1 not called (named on stderr), 3 no answer by the deadline (it may or may not have"
                    + " run), 4 the remote handler failed (its error type and message on stderr)."
        })
class CallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Parameters(index = "0", paramLabel = "PEER", description = "The called node.")
    String peer;

    @Parameters(index = "1", paramLabel = "HANDLER", description = "The handler's name.")
    String handler;

    @Parameters(index = "2..*", paramLabel = "PAYLOAD", description = "The payload (UTF-8 text); stdin if none.")
    List<String> payload = new ArrayList<>();

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "The call's deadline: 500ms, 2s, 1m (default 30s).")
    Duration timeout = Duration.ofSeconds(30);

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header for the handler; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--wait-for-handler", description = "Wait for the handler to be registered, within the timeout.")
    boolean waitForHandler;

    @Option(names = "--json", description = "One JSON object on stdout, also for errors.")
    boolean json;

    /** The kind of call: {@code sync} here. */
    String kind() {
        return "sync";
    }

    /** How a successful answer is shown. */
    String display(byte[] answer) {
        return new String(answer, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Integer call() throws IOException {
        String path;
        try {
            path = CallClient.callQuery(kind(), peer, handler, timeout, headers, waitForHandler, json);
        } catch (IllegalArgumentException e) {
            throw admin.invalid(spec, e.getMessage());
        }
        byte[] body = CallClient.payload(payload, System.in);
        return CallClient.exchange(
                spec.name(),
                admin.address,
                "POST",
                path,
                body,
                timeout,
                json,
                this::display,
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** {@code tether request}: prints the reply's payload. */
    @Command(
            name = "request",
            mixinStandardHelpOptions = true,
            description = {
                "Sends a request to handler HANDLER on node PEER through a running node and prints the reply's payload"
                        + " (UTF-8 text as is, anything else as base64:...; --json for its headers and ids). The"
                        + " payload is the PAYLOAD arguments joined by spaces, or stdin if there are none.",
                "Exit codes: 0 done, 1 not called (named on stderr), 3 no answer by the deadline (it may or may not"
                        + " have run), 4 the remote handler failed (its error type and message on stderr)."
            })
    static final class Request extends CallCommand {
        @Override
        String kind() {
            return "request";
        }

        @Override
        String display(byte[] answer) {
            String s = Payloads.forDisplay(answer);
            return s.endsWith("\n") ? s : s + "\n";
        }
    }
}
