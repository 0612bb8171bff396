package dev.tether.bench.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor of the default blocking round trip's threading, with no Tether in it (issue 14 item 6): the hand-offs of
 * {@code tcp-roundtrip} between the same four threads, each doing nothing but pass a 100-byte frame on. The caller
 * posts the send to the sender's I/O thread (a Netty event loop like Tether's, {@link FloorChannels}, woken only if
 * asleep) and parks; that thread writes the frame; the receiver's I/O thread (a child JVM) reads it and unparks a
 * handler thread, which posts the settlement back to its I/O thread; that thread writes the answer; the sender's I/O
 * thread reads it and unparks the caller. Six sleeps and wake-ups per round trip, as in Tether's default, against the
 * ping-pong's two. What {@code tcp-roundtrip} costs beyond this floor is Tether's own work; what this floor costs
 * beyond the ping-pong, no change inside Tether can remove while the threading stays. With {@code inline} the
 * receiver's I/O thread writes the answer itself, as Tether's does with the handler on the node thread
 * ({@code tcp-roundtrip-inline}): three threads, four sleeps per round trip. With the bench JVM's system property
 * {@code tether.bench.floorPipeWake=true} the caller waits in a blocking read of a pipe that the sender's I/O thread
 * writes a byte to, instead of parking: a pipe write wakes its reader as a "sync" wake-up, which Linux places on the
 * writer's CPU, where a futex wake (unpark) places it on an idle one (docs/BENCHMARKS.md, "Why the inline round trip
 * costs more"). Used on the driver thread only.
 */
final class HandOffFloor {
    private HandOffFloor() {}

    static ScenarioResult run(BenchOptions o, boolean inline) throws Exception {
        try (ChildJvm receiver = ChildJvm.start(
                        "floor-receiver", Receiver.class, o.childJvmArgs(), List.of(inline ? "inline" : "handler"));
                FloorChannels io = new FloorChannels("floor-sender-io")) {
            int port = Integer.parseInt(receiver.expect("READY", 60)[1]);
            Thread caller = Thread.currentThread();
            AtomicLong answers = new AtomicLong();
            if (Boolean.getBoolean("tether.bench.floorPipeWake")) {
                Pipe pipe = Pipe.open();
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                io.connect(port, () -> {
                    answers.incrementAndGet();
                    one.clear();
                    write(pipe, one);
                });
                try {
                    return BlockingRoundTrips.measure(
                            o,
                            inline ? "handoff-floor-inline" : "handoff-floor",
                            "Floor of the round trip's threading, the caller woken through a pipe, no Tether",
                            n -> BlockingRoundTrips.Made.of(pipeRoundTrips(io, answers, pipe, n)));
                } finally {
                    pipe.source().close();
                    pipe.sink().close();
                }
            }
            io.connect(port, () -> {
                answers.incrementAndGet();
                LockSupport.unpark(caller);
            });
            return BlockingRoundTrips.measure(
                    o,
                    inline ? "handoff-floor-inline" : "handoff-floor",
                    inline
                            ? "Floor of the inline round trip's threading: caller, two I/O threads, no Tether"
                            : "Floor of the default round trip's threading: caller, two I/O threads, handler thread,"
                                    + " no Tether",
                    n -> BlockingRoundTrips.Made.of(roundTrips(io, answers, n)));
        }
    }

    /** {@code n} blocking round trips: post the send to the I/O thread, park until its answer has come back. */
    private static long[] roundTrips(FloorChannels io, AtomicLong answers, int n) {
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            long want = answers.get() + 1;
            io.post();
            while (answers.get() < want) LockSupport.park();
            rtt[i] = System.nanoTime() - t;
        }
        return rtt;
    }

    /** As {@link #roundTrips}, waiting in a blocking read of {@code pipe} instead of parking. */
    private static long[] pipeRoundTrips(FloorChannels io, AtomicLong answers, Pipe pipe, int n) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            long want = answers.get() + 1;
            io.post();
            while (answers.get() < want) {
                in.clear();
                pipe.source().read(in);
            }
            rtt[i] = System.nanoTime() - t;
        }
        return rtt;
    }

    private static void write(Pipe pipe, ByteBuffer b) {
        try {
            pipe.sink().write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The receiver's child JVM: prints {@code READY port}, then for one client hands each frame its I/O thread reads
     * to a handler thread, which posts the answer back to the I/O thread to write (argument {@code handler}), or
     * writes the answer on the I/O thread (argument {@code inline}); exits when the client closes.
     */
    public static final class Receiver {
        public static void main(String[] args) throws Exception {
            try (FloorChannels io = new FloorChannels("floor-receiver-io")) {
                if (args.length > 0 && args[0].equals("inline")) {
                    System.out.println("READY " + io.listen(io::write));
                    System.out.flush();
                    io.awaitPeerClosed();
                    return;
                }
                AtomicLong delivered = new AtomicLong();
                Thread handler = new Thread(() -> settle(io, delivered), "floor-handler");
                handler.setDaemon(true);
                int port = io.listen(() -> {
                    delivered.incrementAndGet();
                    LockSupport.unpark(handler);
                });
                handler.start();
                System.out.println("READY " + port);
                System.out.flush();
                io.awaitPeerClosed();
            }
        }

        /** The handler thread: for each delivery, posts its settlement (the answer's write) to the I/O thread. */
        private static void settle(FloorChannels io, AtomicLong delivered) {
            long settled = 0;
            while (true) {
                while (delivered.get() == settled) LockSupport.park();
                settled++;
                io.post();
            }
        }

        private Receiver() {}
    }
}
