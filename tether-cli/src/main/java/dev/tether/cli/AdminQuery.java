package dev.tether.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A GET request to a running node's admin endpoint whose answer is printed as it is ({@code stats}, {@code peers}). */
final class AdminQuery {
    private AdminQuery() {}

    /**
     * Prints the answer to {@code GET path} on {@code out}, or names the failure on {@code err}.
     *
     * @return {@link ExitCode#OK}, or {@link ExitCode#FAILURE} if the node is unreachable or answered an error
     */
    static int print(String command, InetSocketAddress admin, String path, PrintWriter out, PrintWriter err) {
        try (AdminClient c = AdminClient.connect(admin, Duration.ofSeconds(5))) {
            c.request("GET", path, 0);
            c.flush();
            AdminClient.Response r = c.response(Duration.ofSeconds(10));
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            if (r.status() != 200) {
                err.println("tether " + command + ": the node answered HTTP " + r.status() + ": " + body.strip());
                return ExitCode.FAILURE;
            }
            out.print(body);
            out.flush();
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("tether " + command + ": " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }
}
