package dev.tether.testkit.nats;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three {@link NatsServerProcess}es on loopback forming one NATS cluster with full-mesh routes. {@link #start()}
 * returns once every server is ready and routed to the other two; {@link #awaitRoutes()} waits for that again, e.g.
 * after a {@link NatsServerProcess#restart()}. {@link #close()} kills all three.
 *
 * <p>Threading: not thread-safe; the servers themselves are.
 */
public final class NatsCluster implements AutoCloseable {
    private static final int SIZE = 3;
    private static final Duration ROUTE_DEADLINE = Duration.ofSeconds(30);
    private static final Pattern NUM_ROUTES = Pattern.compile("\"num_routes\"\\s*:\\s*(\\d+)");

    private final List<NatsServerProcess> servers;

    private NatsCluster(List<NatsServerProcess> servers) {
        this.servers = List.copyOf(servers);
    }

    /** Starts three routed servers and waits until all routes are up. */
    public static NatsCluster start() {
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) clusterPorts.add(NatsServerProcess.freePort());
        List<NatsServerProcess> servers = new ArrayList<>();
        try {
            for (int i = 0; i < SIZE; i++) {
                List<Integer> routes = new ArrayList<>(clusterPorts);
                routes.remove(i);
                NatsServerProcess s = NatsServerProcess.builder()
                        .cluster("tether", clusterPorts.get(i), routes)
                        .build();
                servers.add(s);
                s.launch();
            }
            NatsCluster cluster = new NatsCluster(servers);
            cluster.awaitRoutes();
            return cluster;
        } catch (RuntimeException e) {
            servers.forEach(NatsServerProcess::close);
            throw e;
        }
    }

    /** Server {@code i} (0, 1 or 2). */
    public NatsServerProcess server(int i) {
        return servers.get(i);
    }

    /** All three servers. */
    public List<NatsServerProcess> servers() {
        return servers;
    }

    /** The client URLs of all three servers. */
    public List<String> urls() {
        return servers.stream().map(NatsServerProcess::url).toList();
    }

    /** Waits until every running server reports a route to every other running server. */
    public void awaitRoutes() {
        long deadline = System.nanoTime() + ROUTE_DEADLINE.toNanos();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            List<NatsServerProcess> running =
                    servers.stream().filter(NatsServerProcess::isRunning).toList();
            boolean routed = true;
            for (NatsServerProcess s : running) routed &= routes(http, s) >= running.size() - 1;
            if (routed) return;
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("NATS cluster routes not up within " + ROUTE_DEADLINE + ": "
                        + running.stream()
                                .map(s -> s + " routes=" + routes(http, s))
                                .toList());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static int routes(HttpClient http, NatsServerProcess s) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.monitorPort() + "/routez"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            String body = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = NUM_ROUTES.matcher(body);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        servers.forEach(NatsServerProcess::close);
    }
}
