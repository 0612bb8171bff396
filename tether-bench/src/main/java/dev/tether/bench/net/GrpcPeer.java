package dev.tether.bench.net;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gRPC peer of the request benchmarks, in a child JVM of {@link NetworkBench}: gRPC-java (grpc-netty-shaded)
 * with one unary method whose request and response are plain byte arrays (a byte-array marshaller, so no code
 * generation), over one plaintext HTTP/2 connection on loopback. Arguments: {@code server}, or {@code client
 * <server port>}. The server echoes each request on the transport thread (direct executor, like Tether's handler on
 * the node thread); the client's callbacks run on its transport thread too.
 *
 * <p>Client commands, as {@link PeerProcess}'s: {@code REQ n size ignored} (one request at a time, each waited for;
 * replies {@code REQ n p50 p99 max}), {@code REQP n outstanding lanes size ignored} (up to {@code outstanding}
 * waiting at any time, lanes ignored: one connection; replies {@code REQP n nanos}). Every response is checked
 * against its request. {@code STOP} exits. Errors reply {@code FAILED reason}.
 */
public final class GrpcPeer {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private GrpcPeer() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .directExecutor()
                    .addService(ServerServiceDefinition.builder("bench.Echo")
                            .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                                response.onNext(request);
                                response.onCompleted();
                            }))
                            .build())
                    .build()
                    .start();
            reply("READY " + server.getPort());
            commands(null);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } else {
            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            InetAddress.getLoopbackAddress().getHostAddress(), Integer.parseInt(args[1]))
                    .usePlaintext()
                    .directExecutor()
                    .build();
            reply("READY -");
            commands(channel);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private static void commands(ManagedChannel channel) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
            String[] w = line.trim().split(" ");
            try {
                reply(
                        switch (w[0]) {
                            case "PING" -> "PONG";
                            case "REQ" ->
                                "REQ " + w[1] + " "
                                        + roundTrips(channel, Integer.parseInt(w[1]), Integer.parseInt(w[2]))
                                                .wire();
                            case "REQP" ->
                                "REQP " + w[1] + " "
                                        + pipelined(
                                                channel,
                                                Integer.parseInt(w[1]),
                                                Integer.parseInt(w[2]),
                                                Integer.parseInt(w[4]));
                            default -> throw new IllegalArgumentException("unknown command " + w[0]);
                        });
            } catch (Exception e) {
                e.printStackTrace();
                reply("FAILED " + e.toString().replace('\n', ' '));
            }
        }
    }

    /** {@code n} requests one at a time, each waited for: the round trip of a blocking caller. */
    private static Latency roundTrips(ManagedChannel channel, int n, int size) {
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] p = payload(i, size);
            long t = System.nanoTime();
            byte[] r = ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, p);
            rtt[i] = System.nanoTime() - t;
            Throwable bad = mismatch(r, i, size);
            if (bad != null) throw new IllegalStateException(bad.getMessage());
        }
        return Latency.of(rtt);
    }

    /** {@code n} requests with up to {@code outstanding} waiting; returns the nanoseconds to the last response. */
    private static long pipelined(ManagedChannel channel, int n, int outstanding, int size) throws Exception {
        Semaphore window = new Semaphore(outstanding);
        AtomicLong answered = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        long start = System.nanoTime();
        for (int i = 0; i < n && failure.get() == null; i++) {
            if (!window.tryAcquire(1, TimeUnit.MINUTES)) throw new IllegalStateException("no response within a minute");
            long index = i;
            ClientCalls.asyncUnaryCall(
                    channel.newCall(ECHO, CallOptions.DEFAULT),
                    payload(i, size),
                    new io.grpc.stub.StreamObserver<byte[]>() {
                        @Override
                        public void onNext(byte[] value) {
                            Throwable bad = mismatch(value, index, size);
                            if (bad != null) failure.compareAndSet(null, bad);
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, t);
                            done();
                        }

                        @Override
                        public void onCompleted() {
                            done();
                        }

                        private void done() {
                            window.release();
                            if (answered.incrementAndGet() == n || failure.get() != null) all.complete(null);
                        }
                    });
        }
        all.get(5, TimeUnit.MINUTES);
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) throw new IllegalStateException("a request failed", failure.get());
        return elapsed;
    }

    private static byte[] payload(long index, int size) {
        return ByteBuffer.allocate(size).putLong(0, index).array();
    }

    private static Throwable mismatch(byte[] r, long index, int size) {
        if (r.length != size || ByteBuffer.wrap(r).getLong(0) != index) {
            return new IllegalStateException("response to request " + index + " is not its echo");
        }
        return null;
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
