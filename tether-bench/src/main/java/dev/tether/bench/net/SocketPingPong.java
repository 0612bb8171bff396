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

    static ScenarioResult run(BenchOptions o) throws Exception {
        try (ChildJvm echo = ChildJvm.start("echo", EchoServer.class, o.childJvmArgs(), List.of())) {
            int port = Integer.parseInt(echo.expect("READY", 60)[1]);
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[NetworkBench.PAYLOAD];
                return BlockingRoundTrips.measure(
                        o,
                        "socket-pingpong",
                        "Raw Java socket ping-pong (latency floor)",
                        n -> BlockingRoundTrips.Made.of(pingPong(in, out, buf, n)));
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
