package dev.tether.bench.fanout;

import dev.tether.bench.measure.Meter;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The peer of {@link FanoutBench}: a JetStream file stream with interest retention (a message is deleted once every
 * consumer acknowledged it, as a channel's log is trimmed at its slowest reader) and one durable consumer with
 * explicit acks per reader, each on its own connection; async publishes with at most 4,000 awaiting their ack. In
 * this JVM (its CPU is counted with nats-server's). nats-server 2.9.10 does not fsync each message.
 */
final class JetStreamFanout {
    private static final int OUTSTANDING = 4_000;
    private static final long ROUND_NANOS = TimeUnit.MINUTES.toNanos(3);

    private JetStreamFanout() {}

    @SuppressWarnings("try") // jnats's close() declares InterruptedException
    static Series run(String url, int readers, int messages, int maxWarmUp, int repeat) throws Exception {
        List<Connection> subs = new ArrayList<>();
        List<MessageConsumer> consumers = new ArrayList<>();
        List<AtomicLong> counts = new ArrayList<>();
        try (Connection pub = Nats.connect(new Options.Builder().server(url).build())) {
            JetStreamManagement jsm = pub.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder()
                    .name("FANOUT")
                    .subjects("fanout")
                    .storageType(StorageType.File)
                    .retentionPolicy(RetentionPolicy.Interest)
                    .build());
            for (int i = 0; i < readers; i++) {
                Connection sub = Nats.connect(new Options.Builder().server(url).build());
                subs.add(sub);
                AtomicLong count = new AtomicLong();
                counts.add(count);
                ConsumerContext cc = sub.getStreamContext("FANOUT")
                        .createOrUpdateConsumer(ConsumerConfiguration.builder()
                                .durable("reader-" + i)
                                .ackPolicy(AckPolicy.Explicit)
                                .build());
                consumers.add(
                        cc.consume(ConsumeOptions.builder().batchSize(1_000).build(), m -> {
                            m.ack();
                            count.incrementAndGet();
                        }));
            }
            JetStream js = pub.jetStream();
            long[] target = {0};
            return Steady.run("fanout-jetstream", maxWarmUp, repeat, Steady::rate, () -> {
                Meter m = Meter.start();
                long nanos = publish(js, messages, counts, target[0] += messages);
                return m.rate(messages, nanos);
            });
        } finally {
            for (MessageConsumer c : consumers) c.stop();
            for (Connection c : subs) c.close();
        }
    }

    private static long publish(JetStream js, int n, List<AtomicLong> counts, long target) throws Exception {
        Semaphore window = new Semaphore(OUTSTANDING);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        byte[] payload = new byte[100];
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            window.acquire();
            js.publishAsync("fanout", payload).whenComplete((ack, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                window.release();
            });
        }
        long deadline = System.nanoTime() + ROUND_NANOS;
        for (AtomicLong c : counts) {
            while (c.get() < target) {
                if (System.nanoTime() > deadline) throw new TimeoutException(c.get() + " of " + target + " consumed");
                LockSupport.parkNanos(50_000);
            }
        }
        if (failure.get() != null) throw new IllegalStateException("a JetStream publish failed", failure.get());
        return System.nanoTime() - start;
    }
}
