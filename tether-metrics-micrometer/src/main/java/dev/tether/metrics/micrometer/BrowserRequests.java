package dev.tether.metrics.micrometer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells a scrape from a web page's request that reached the endpoint through the browser of someone on this machine.
 * The endpoint has no credentials: on loopback it trusts whoever can connect, and a browser on the machine can
 * connect too. A page of another site cannot read the answer of a plain cross-origin request (the endpoint sends no
 * CORS headers), but through DNS rebinding (its own name made to resolve to 127.0.0.1) the page and the endpoint look
 * like one origin to the browser, and the page reads the node's metrics. Such a request still names the attacker's
 * name in {@code Host}. So a request from a loopback address is refused when its {@code Host} is not a loopback name
 * ({@code localhost}, {@code *.localhost}, an address in 127.0.0.0/8, {@code [::1]}) or when it carries an {@code
 * Origin} other than {@code http://} and its own {@code Host} (no page is served here, so none may use it), or a {@code
 * Sec-Fetch-Site} of {@code cross-site} or {@code same-site}: a page of another site, or of another port of localhost
 * (the same site), loading the endpoint as an image, a script or a frame, which sends no {@code Origin} on a GET but
 * does send this header; repeated, such loads could hold every connection of the endpoint. This is the rule of the
 * CLI's admin endpoint and chat page ({@code PageRequests}).
 *
 * <p>A request from any other address is not checked: a Prometheus server on another host names the endpoint by
 * whatever name or address it has there, and a page that rebinds a name to an address beyond loopback reaches no
 * more than that server can. A request without either header passes. Stateless and thread-safe.
 */
final class BrowserRequests {
    /** 127.0.0.0/8 in four decimal octets: a literal only, no name is ever looked up (rebinding controls the answer). */
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)){3}");

    private BrowserRequests() {}

    /** Null if the request may be served; else why not, for a 403 answer. */
    static String refusal(InetAddress remote, String host, String origin, String fetchSite) {
        if (remote != null && !remote.isLoopbackAddress()) return null;
        if (host != null && !isLoopbackName(host)) {
            return "Host '" + host + "' is not a loopback name (localhost, 127.0.0.1, [::1]): a request from this"
                    + " machine must name one, so that no web page reads the metrics through DNS rebinding";
        }
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return "a request from a web page (Origin " + origin + ") is refused";
        }
        if (fetchSite != null
                && (fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site"))) {
            return "a request a web page of another site made (Sec-Fetch-Site: " + fetchSite + ") is refused";
        }
        return null;
    }

    /** Whether {@code host} (a Host header: a name or address and an optional port) names this machine's loopback. */
    static boolean isLoopbackName(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 && isLoopbackV6(h.substring(1, close)) && isPortOrNothing(h.substring(close + 1));
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!isPortOrNothing(h.substring(colon))) return false;
            h = h.substring(0, colon);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) return true; // RFC 6761: never sent to DNS
        return LOOPBACK_V4.matcher(h).matches();
    }

    private static boolean isPortOrNothing(String rest) {
        return rest.isEmpty() || rest.matches(":\\d{0,5}");
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
