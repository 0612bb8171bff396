package dev.tether.cli;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.StringJoiner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every management command shares ({@code --admin}, {@code --admin-token-file}, {@code --json}) and the
 * request it makes: one call of the admin endpoint's {@code /mgmt/} routes ({@link ManagementRoutes}), whose answer is
 * printed as it is.
 */
final class ManagementRequest {
    @Option(
            names = "--admin",
            required = true,
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "The node's admin endpoint (the admin= address of its ready line).")
    java.net.InetSocketAddress address;

    @Option(
            names = "--admin-token-file",
            paramLabel = "FILE",
            description = "File with the node's admin token (needed when the endpoint is not on loopback).")
    Path tokenFile;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    /** A query string builder: {@code ?a=1&b=x}, values URL-encoded, null values left out. */
    static final class Query {
        private final StringJoiner q = new StringJoiner("&", "?", "");

        Query add(String name, Object value) {
            if (value != null) q.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public String toString() {
            return q.toString();
        }
    }

    /** A query that starts with {@code format=json} or {@code format=text}, as {@code --json} says. */
    Query query() {
        return new Query().add("format", json ? "json" : "text");
    }

    /**
     * Sends {@code method path+query}, prints the answer on success; else names the failure on stderr.
     *
     * @return {@link ExitCode#OK}; {@link ExitCode#USAGE} if the node refused the input (400); else {@link
     *     ExitCode#FAILURE}
     */
    int run(CommandSpec spec, String method, String path, Query query) {
        String command = spec.qualifiedName(" ").replaceFirst("^tether ", "");
        try (AdminClient c = AdminClient.connect(address, Duration.ofSeconds(5))) {
            c.token(tokenFile == null ? null : AdminAuth.fromFile(tokenFile).token());
            c.request(method, path + query, 0);
            c.flush();
            AdminClient.Response r = c.response(Duration.ofSeconds(40));
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            if (r.status() != 200) {
                spec.commandLine()
                        .getErr()
                        .println("tether " + command + ": the node answered HTTP " + r.status() + ": " + body.strip());
                return r.status() == 400 ? ExitCode.USAGE : ExitCode.FAILURE;
            }
            spec.commandLine().getOut().print(body);
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("tether " + command + ": " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }
}
