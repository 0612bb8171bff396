package dev.tether.cli;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --admin HOST:PORT} option of the commands that talk to a running node's admin endpoint ({@code tether
 * send}, {@code tether stats}), with the HTTP client they use and the message they print when nobody listens.
 */
final class AdminEndpoint {
    @Option(
            names = "--admin",
            required = true,
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "The node's admin endpoint.")
    InetSocketAddress address;

    /** A client that gives up connecting after 5 seconds; each request sets its own timeout. */
    HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** {@code pathAndQuery} (starting with a slash) on the endpoint. */
    URI uri(String pathAndQuery) {
        return URI.create("http://" + HostPort.format(address) + pathAndQuery);
    }

    /** What {@code tether <command>} prints when the endpoint refuses the connection. */
    String unreachable(String command) {
        String where = HostPort.format(address);
        return "tether " + command + ": cannot reach the node's admin endpoint at " + where
                + " (is `tether node --admin " + where + "` running?)";
    }
}
