package dev.tether.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells the requests that a web page in a local browser could make to an endpoint that trusts loopback. Such an
 * endpoint (the admin endpoint without a token, the chat page) cannot tell a local program from a browser showing
 * someone else's page: both connect from loopback. Two things give the page away, and this refuses both:
 *
 * <ul>
 *   <li>a {@code Host} that is not a loopback name ({@code localhost}, {@code *.localhost}, an address in
 *       127.0.0.0/8, {@code [::1]}): a page served from {@code evil.example} whose name was made to resolve to
 *       127.0.0.1 (DNS rebinding) reaches the endpoint as its own origin, but still names {@code evil.example};
 *   <li>an {@code Origin} other than {@code http://} and the request's own {@code Host}: a page of another origin
 *       (cross-site request forgery; browsers send {@code Origin} with every POST and WebSocket, and {@code null}
 *       from sandboxed and local pages);
 *   <li>a {@code Sec-Fetch-Site} of {@code cross-site} or {@code same-site}: a page of another site (or of another
 *       port of localhost, which is the same site) loading the endpoint as an image, a script, a frame or a link's
 *       target. Browsers send no {@code Origin} on such a GET, but do send this header with every request; without
 *       it, {@code <img src="http://h1.localhost:PORT/mgmt/live">} repeated would hold every connection of the
 *       endpoint, and a frame of the dashboard could be clickjacked. The endpoint's own pages send {@code
 *       same-origin}, a typed address or a bookmark {@code none}.
 * </ul>
 *
 * <p>A request without either header (an HTTP/1.0 client, a program that sets neither) passes. Tether's own
 * clients send a loopback {@code Host} when they reach a loopback endpoint. The metrics endpoint ({@code
 * --metrics}, tether-metrics-micrometer's {@code PrometheusEndpoint}) applies the same rule to requests from loopback
 * in that module. Stateless and thread-safe.
 */
final class PageRequests {
    /**
     * Response headers of an HTML page of a loopback endpoint (the dashboard, the chat page): no site may frame it,
     * so that no click on its buttons (Kick, Purge, Send) is one a framing page tricked the user into.
     */
    static final String PAGE_HEADERS = "X-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private PageRequests() {}

    /** Null if {@code head} may be served as coming from loopback; else why not, for a 403 answer. */
    static String refusal(HttpHead head) {
        String host = head.header("host");
        if (host != null && !isLoopbackName(host)) {
            return "Host '" + host + "' is not a loopback name (localhost, 127.0.0.1, [::1]): a request this"
                    + " endpoint serves without a token must name one, so that no web page reaches it through DNS"
                    + " rebinding";
        }
        String origin = head.header("origin");
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return "a request from a web page of another origin (" + origin + ") is refused: only this endpoint's"
                    + " own pages may use it";
        }
        String fetchSite = head.header("sec-fetch-site");
        if (fetchSite != null
                && (fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site"))) {
            return "a request a web page of another site made (Sec-Fetch-Site: " + fetchSite + ") is refused: open"
                    + " this endpoint's pages directly, not from a link, a frame or an element of another page";
        }
        return null;
    }

    /** Whether {@code host} (a Host header: a name or address and an optional port) names this machine's loopback. */
    static boolean isLoopbackName(String host) {
        String h = withoutPort(host.strip()).toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) return true; // RFC 6761: never sent to DNS
        if (h.startsWith("[") && h.endsWith("]")) return isLoopbackV6(h.substring(1, h.length() - 1));
        return isLoopbackV4(h);
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** Four decimal octets, the first 127: no name is ever looked up here (rebinding controls the answer). */
    private static boolean isLoopbackV4(String h) {
        if (!IPV4.matcher(h).matches()) return false;
        String[] octets = h.split("\\.");
        for (String o : octets) {
            if (Integer.parseInt(o) > 255) return false;
        }
        return octets[0].equals("127");
    }

    /** An IPv6 literal only: a string with a colon is never looked up as a name. */
    private static boolean isLoopbackV6(String literal) {
        if (!literal.contains(":") || !literal.matches("[0-9a-f:.]+")) return false;
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
