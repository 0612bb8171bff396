package dev.tether.cli;

import dev.tether.InvalidIdException;
import dev.tether.Lanes;
import dev.tether.NodeId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tether send}: hands messages to a running node through its admin endpoint. */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        description = {
            "Sends messages through a running node (tether node --admin HOST:PORT).",
            "Each MESSAGE argument is one message; without arguments each line of stdin is one. Lines are streamed"
                    + " to the node as they come, many per request, so large inputs go at thousands of messages"
                    + " per second; a progress line is shown when stderr is a terminal.",
            "Prints one line per message, in order: its id and the outcome waited for on stdout, or why it was not"
                    + " sent on stderr (--json: every message as a JSON object on stdout).",
            "Exit codes: 0 all done as asked; 1 a failure, nothing in doubt (refused messages were not stored);"
                    + " 2 usage error; 3 the outcome of some messages is in doubt (stored but not processed in"
                    + " time, or the node did not answer): check with tether stats or tether inspect before"
                    + " sending them again."
        })
final class SendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AdminEndpoint admin;

    @Option(names = "--to", required = true, paramLabel = "ID", description = "The receiving node.")
    String to;

    @Option(names = "--lane", paramLabel = "LANE", description = "The stream's lane (default: default).")
    String lane;

    @Option(
            names = "--wait",
            paramLabel = "WHAT",
            description = "none, accepted (stored; default) or processed (the receiver's application took it).")
    String wait = "accepted";

    @Option(names = "--header", paramLabel = "NAME:VALUE", description = "A header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--ttl-ms", paramLabel = "MS", description = "Time to live of each message.")
    Long ttlMs;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            description = "How long to wait for each message's outcome (default 30000).")
    long timeoutMs = 30_000;

    @Option(names = "--json", description = "One JSON object per message on stdout.")
    boolean json;

    @Option(
            names = "--progress",
            negatable = true,
            description = "Show a progress line on stderr (default: when stderr is a terminal).")
    Boolean progress;

    @Parameters(paramLabel = "MESSAGE", description = "Messages (UTF-8 text); stdin lines if none.")
    List<String> messages = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (timeoutMs <= 0) throw admin.invalid(spec, "--timeout-ms must be positive, was " + timeoutMs);
        if (ttlMs != null && ttlMs <= 0) throw admin.invalid(spec, "--ttl-ms must be positive, was " + ttlMs);
        // a bad id or lane is the command line's mistake (exit 2), as for the other commands, not a refusal (1)
        try {
            NodeId.of(to);
        } catch (InvalidIdException e) {
            throw admin.invalid(spec, "--to: " + e.getMessage());
        }
        try {
            if (lane != null) Lanes.requireValid(lane);
        } catch (InvalidIdException e) {
            throw admin.invalid(spec, "--lane: " + e.getMessage());
        }
        boolean showProgress = progress != null ? progress : Terminal.isTerminal(2);
        SendOutput output = new SendOutput(
                spec.commandLine().getOut(), spec.commandLine().getErr(), json, showProgress, Terminal.isTerminal(1));
        SendStream stream = new SendStream(
                admin.address, "/send?" + query(), Duration.ofMillis(timeoutMs).plusSeconds(10), output);
        if (messages.isEmpty()) stream.readLines(System.in);
        else stream.messages(messages);
        ScheduledExecutorService timer = null;
        if (showProgress) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tether-send-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(output::drawProgress, 250, 250, TimeUnit.MILLISECONDS);
        }
        try {
            stream.run();
        } finally {
            if (timer != null) timer.shutdownNow();
        }
        return output.finish();
    }

    private String query() {
        StringBuilder q = new StringBuilder("stream=lines&to=").append(enc(to));
        if (lane != null) q.append("&lane=").append(enc(lane));
        q.append("&wait=").append(enc(wait)).append("&timeoutMs=").append(timeoutMs);
        if (ttlMs != null) q.append("&ttlMs=").append(ttlMs);
        for (String h : headers) q.append("&header=").append(enc(h));
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
