package dev.tether.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/** {@code tether send}: hands messages to a running node through its admin endpoint. */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        description = {
            "Sends messages through a running node (tether node --admin HOST:PORT).",
            "Each MESSAGE argument is one message; without arguments each line of stdin is one.",
            "Prints one line per message: its id and the outcome waited for."
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

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "How long to wait (default 30000).")
    long timeoutMs = 30_000;

    @Option(names = "--json", description = "One JSON object per message.")
    boolean json;

    @Parameters(paramLabel = "MESSAGE", description = "Messages (UTF-8 text); stdin lines if none.")
    List<String> messages = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        HttpClient http = admin.client();
        URI uri = admin.uri("/send?" + query());
        int failures = 0;
        try {
            if (!messages.isEmpty()) {
                for (String m : messages) failures += sendOne(http, uri, m);
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) failures += sendOne(http, uri, line);
            }
        } catch (ConnectException e) {
            spec.commandLine().getErr().println(admin.unreachable("send"));
            return 1;
        }
        return failures == 0 ? 0 : 1;
    }

    private int sendOne(HttpClient http, URI uri, String message) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(timeoutMs + 5_000))
                .POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        boolean ok = r.statusCode() / 100 == 2;
        (ok ? spec.commandLine().getOut() : spec.commandLine().getErr())
                .print(ok ? r.body() : "tether send: " + r.body());
        return ok ? 0 : 1;
    }

    private String query() {
        StringBuilder q = new StringBuilder("to=").append(enc(to));
        if (lane != null) q.append("&lane=").append(enc(lane));
        q.append("&wait=").append(enc(wait)).append("&timeoutMs=").append(timeoutMs);
        if (ttlMs != null) q.append("&ttlMs=").append(ttlMs);
        for (String h : headers) q.append("&header=").append(enc(h));
        if (json) q.append("&format=json");
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
