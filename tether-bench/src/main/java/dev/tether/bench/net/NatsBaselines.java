package dev.tether.bench.net;

import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The NATS peers, measured in this JVM against a nats-server child process: core NATS pub/sub (no guarantees:
 * the transport ceiling) and JetStream with a file stream (async publish with acks, a consumer acking each message
 * explicitly). One publisher connection, one subscriber connection, 100-byte messages. Driver thread only.
 */
final class NatsBaselines {
    /** JetStream publishes awaiting their ack at most; the machine notes measured 46k msg/s with 1,000. */
    static final int JS_OUTSTANDING = 4_000;

    private static final long ROUND_DEADLINE_NANOS = TimeUnit.MINUTES.toNanos(3);

    private NatsBaselines() {}

    // jnats's close() declares InterruptedException; the bench's callers propagate it (lint "try").
    @SuppressWarnings("try")
    static ScenarioResult core(BenchOptions o, String url) throws Exception {
        AtomicLong received = new AtomicLong();
        try (Connection pub = connect(url);
                Connection sub = connect(url)) {
            Dispatcher d = sub.createDispatcher(m -> received.incrementAndGet());
            d.setPendingLimits(50_000_000, 4L << 30); // the subscriber must not be cut off as a slow consumer
            d.subscribe("bench.core");
            sub.flush(Duration.ofSeconds(10));
            byte[] payload = new byte[NetworkBench.PAYLOAD];
            long[] target = {0};
            Series series = Rounds.rates(o, "nats-core", () -> {
                Meter m = Meter.start();
                long nanos = publishCore(pub, payload, o.messages(), received, target[0] += o.messages());
                return m.rate(o.messages(), nanos);
            });
            return new ScenarioResult(
                    "nats-core",
                    "Raw core NATS pub/sub (transport ceiling)",
                    "none (at most once)",
                    false,
                    series,
                    Latency.NONE,
                    "",
                    target[0],
                    received.get());
        }
    }

    /** Publishes {@code n} and waits until {@code target} have arrived in all; returns the nanoseconds taken. */
    private static long publishCore(Connection pub, byte[] payload, int n, AtomicLong received, long target)
            throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) pub.publish("bench.core", payload);
        pub.flush(Duration.ofSeconds(30));
        awaitCount(received, target, "core NATS messages");
        return System.nanoTime() - start;
    }

    // jnats's close() declares InterruptedException; the bench's callers propagate it (lint "try").
    @SuppressWarnings("try")
    static ScenarioResult jetStream(BenchOptions o, String url) throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Connection pub = connect(url);
                Connection sub = connect(url)) {
            JetStreamManagement jsm = pub.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder()
                    .name("BENCH")
                    .subjects("bench.js")
                    .storageType(StorageType.File)
                    // acknowledged messages are deleted, as Tether deletes acknowledged outbox rows
                    .retentionPolicy(RetentionPolicy.WorkQueue)
                    .build());
            ConsumerContext cc = sub.getStreamContext("BENCH")
                    .createOrUpdateConsumer(ConsumerConfiguration.builder()
                            .durable("bench")
                            .ackPolicy(AckPolicy.Explicit)
                            .build());
            try (MessageConsumer mc =
                    cc.consume(ConsumeOptions.builder().batchSize(1_000).build(), m -> {
                        m.ack();
                        received.incrementAndGet();
                    })) {
                JetStream js = pub.jetStream();
                byte[] payload = new byte[NetworkBench.PAYLOAD];
                long[] target = {0};
                Series series = Rounds.rates(o, "jetstream", () -> {
                    Meter m = Meter.start();
                    long nanos = publishJs(js, payload, o.messages(), received, target[0] += o.messages(), failure);
                    return m.rate(o.messages(), nanos);
                });
                long counted = received.get();
                mc.stop();
                return new ScenarioResult(
                        "jetstream",
                        "NATS JetStream, file stream, async publish + explicit acks",
                        "JetStream file stream (work-queue retention), nats-server 2.9.10 default sync:"
                                + " no per-message fsync",
                        false,
                        series,
                        Latency.NONE,
                        "",
                        target[0],
                        counted);
            } finally {
                deleteStream(jsm);
            }
        }
    }

    /** Publishes {@code n} and waits until {@code target} have arrived in all; returns the nanoseconds taken. */
    private static long publishJs(
            JetStream js, byte[] payload, int n, AtomicLong received, long target, AtomicReference<Throwable> failure)
            throws InterruptedException, TimeoutException {
        Semaphore window = new Semaphore(JS_OUTSTANDING);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            window.acquire();
            js.publishAsync("bench.js", payload).whenComplete((ack, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                window.release();
            });
        }
        awaitCount(received, target, "JetStream messages");
        if (failure.get() != null) throw new IllegalStateException("a JetStream publish failed", failure.get());
        return System.nanoTime() - start;
    }

    private static void awaitCount(AtomicLong count, long target, String what) throws TimeoutException {
        long deadline = System.nanoTime() + ROUND_DEADLINE_NANOS;
        while (count.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("only " + count.get() + " of " + target + " " + what + " arrived");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private static void deleteStream(JetStreamManagement jsm) {
        try {
            jsm.deleteStream("BENCH");
        } catch (IOException | JetStreamApiException e) {
            // the server and its directory are deleted next anyway
        }
    }

    private static Connection connect(String url) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().server(url).build());
    }
}
