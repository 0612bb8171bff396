package dev.tether.bench.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * The latency floor: a raw Java socket ping-pong between this JVM (client) and a child JVM (echo server) over
 * loopback TCP with {@code TCP_NODELAY}, 100-byte request and response, blocking streams, one round trip at a
 * time. Nothing is stored. Used on the driver thread only.
 */
final class SocketPingPong {
    private SocketPingPong() {}

    static ScenarioResult run(BenchOptions o) throws IOException {
        try (ChildJvm echo = ChildJvm.start("echo", EchoServer.class, o.childJvmArgs(), List.of())) {
            int port = Integer.parseInt(echo.expect("READY", 60)[1]);
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[NetworkBench.PAYLOAD];
                pingPong(in, out, buf, Math.max(o.pingPongs(), o.quick() ? 0 : 20_000)); // warm-up
                double[] rounds = new double[o.rounds()];
                double[] cpu = new double[o.rounds()];
                long[] last = new long[0];
                for (int r = 0; r < o.rounds(); r++) {
                    long c = CpuMeter.now();
                    long cs = CpuMeter.contextSwitches();
                    last = pingPong(in, out, buf, o.pingPongs());
                    cpu[r] = (CpuMeter.now() - c) / (double) o.pingPongs();
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "  round %d: RTT p50 %s, CPU %.1f us and %.1f context switches per round trip%n",
                            r + 1,
                            Latency.micros(Samples.percentile(last, 0.5)),
                            cpu[r] / 1e3,
                            (CpuMeter.contextSwitches() - cs) / (double) o.pingPongs());
                    rounds[r] = Samples.percentile(last, 0.5);
                }
                return new ScenarioResult(
                        "socket-pingpong",
                        "Raw Java socket ping-pong (latency floor)",
                        "none",
                        true,
                        rounds,
                        Latency.of(last),
                        "round trip, last round",
                        (long) o.rounds() * o.pingPongs(),
                        (long) o.rounds() * last.length,
                        Samples.median(cpu));
            }
        }
    }

    private static long[] pingPong(DataInputStream in, OutputStream out, byte[] buf, int n) throws IOException {
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            out.write(buf);
            in.readFully(buf);
            rtt[i] = System.nanoTime() - t;
        }
        return rtt;
    }

    /** The echo server's child JVM: prints {@code READY port}, echoes 100-byte blocks to one client, then exits. */
    public static final class EchoServer {
        public static void main(String[] args) {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                System.out.println("READY " + server.getLocalPort());
                System.out.flush();
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[NetworkBench.PAYLOAD];
                    while (true) {
                        in.readFully(buf);
                        out.write(buf);
                    }
                }
            } catch (java.io.EOFException e) {
                // the client closed: done
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private EchoServer() {}
    }
}
