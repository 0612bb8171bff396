package dev.tether.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of {@code tether call}, {@code tether request} and {@code tether handlers}: one request to the
 * node's admin endpoint ({@link CallRoutes}), its answer printed, and the exit code chosen from its status: 0 done,
 * {@link ExitCode#REMOTE_ERROR} the remote handler failed, {@link ExitCode#IN_DOUBT} no answer by the deadline (the
 * handler may or may not have run), {@link ExitCode#FAILURE} anything else (nothing was executed).
 */
final class CallClient {
    /** The most bytes of stdin taken as a payload; the node refuses more than its maxMessageBytes anyway. */
    static final int MAX_STDIN_BYTES = 64 << 20;

    private CallClient() {}

    /** The exit code for an answer's HTTP status. */
    static int exitCode(int status) {
        return switch (status) {
            case 200 -> ExitCode.OK;
            case 502 -> ExitCode.REMOTE_ERROR;
            case 504 -> ExitCode.IN_DOUBT;
            default -> ExitCode.FAILURE;
        };
    }

    /**
     * Sends {@code method path} with {@code body} (null: none), waits up to {@code wait} for the answer, prints it
     * ({@code display}: the answer body as a person reads it) on {@code out}, or the error on {@code err} (on {@code
     * out} as the node's JSON with {@code json}), and returns the exit code.
     */
    static int exchange(
            String command,
            InetSocketAddress admin,
            String method,
            String path,
            byte[] body,
            Duration wait,
            boolean json,
            java.util.function.Function<byte[], String> display,
            PrintWriter out,
            PrintWriter err) {
        boolean sent = false;
        try (AdminClient c = AdminClient.connect(admin, Duration.ofSeconds(5))) {
            OutputStream o = c.request(method, path, body == null ? 0 : body.length);
            if (body != null) o.write(body);
            c.flush();
            sent = true;
            AdminClient.Response r = c.response(wait.plusSeconds(10));
            byte[] answer = r.body().readAllBytes();
            if (r.status() == 200 && !json) {
                out.print(display.apply(answer));
            } else if (json) {
                out.print(new String(answer, StandardCharsets.UTF_8));
            } else {
                err.println("tether " + command + ": " + new String(answer, StandardCharsets.UTF_8).strip());
            }
            out.flush();
            return exitCode(r.status());
        } catch (AdminClient.Unreachable | AdminClient.NotAnAdminEndpoint e) {
            err.println("tether " + command + ": " + e.getMessage());
            return ExitCode.FAILURE;
        } catch (IOException e) {
            if (!sent) {
                err.println("tether " + command + ": " + e.getMessage() + "; nothing was sent");
                return ExitCode.FAILURE;
            }
            err.println("tether " + command + ": no answer from the node (" + e.getMessage() + "); the call may or"
                    + " may not have been made");
            return ExitCode.IN_DOUBT;
        }
    }

    /** The payload: the arguments joined by spaces, or all of {@code stdin} if there are none. */
    static byte[] payload(List<String> args, InputStream stdin) throws IOException {
        if (args != null && !args.isEmpty()) return String.join(" ", args).getBytes(StandardCharsets.UTF_8);
        byte[] b = stdin.readNBytes(MAX_STDIN_BYTES + 1);
        if (b.length > MAX_STDIN_BYTES) throw new IOException("stdin holds more than " + MAX_STDIN_BYTES + " bytes");
        return b;
    }

    /** {@code NAME=VALUE} or {@code NAME:VALUE} (split at the first of the two) as {@code NAME:VALUE}; null if neither. */
    static String header(String h) {
        int eq = h.indexOf('=');
        int colon = h.indexOf(':');
        int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        if (sep <= 0) return null;
        return h.substring(0, sep) + ":" + h.substring(sep + 1);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The query of a call of {@code handler} on {@code peer}; a bad header is a usage error ({@code IllegalArgumentException}). */
    static String callQuery(
            String kind,
            String peer,
            String handler,
            Duration timeout,
            List<String> headers,
            boolean wait,
            boolean json) {
        List<String> q = new ArrayList<>();
        q.add("kind=" + kind);
        q.add("to=" + enc(peer));
        q.add("handler=" + enc(handler));
        q.add("timeoutMs=" + timeout.toMillis());
        for (String h : headers) {
            String nv = header(h);
            if (nv == null) throw new IllegalArgumentException("--header must be NAME=VALUE, was '" + h + "'");
            q.add("header=" + enc(nv));
        }
        if (wait) q.add("waitForHandler=1");
        if (json) q.add("format=json");
        return "/call?" + String.join("&", q);
    }
}
