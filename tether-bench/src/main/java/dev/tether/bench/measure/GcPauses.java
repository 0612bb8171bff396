package dev.tether.bench.measure;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The garbage collector's stop-the-world pauses of this JVM, as intervals on the {@link System#nanoTime()} clock, so a
 * latency bench can tell which of its messages a pause held. It listens to the collectors' notifications (one per
 * collection, sent by the JVM's service thread shortly after the collection ends) and keeps the collections of the
 * pausing collectors: G1's and Parallel's young and old collections, Serial's, and the "Pauses" beans of ZGC and
 * Shenandoah. Their concurrent "Cycles" are left out: the application runs during them. G1's remark and cleanup
 * pauses (short, during its concurrent cycle) have no notification in JDK 17 and are not seen.
 *
 * <p>A notification gives the start and end in milliseconds of JVM uptime; the offset to {@code nanoTime} is taken
 * once, at {@link #start()}, so an interval is exact to about a millisecond (pauses of interest here last tens to
 * hundreds). Thread-safe: notifications arrive on the service thread, readers call {@link #pauses()}.
 */
public final class GcPauses implements NotificationListener {
    private final List<Pause> pauses = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final long nanosAtUptimeZero;
    /** The collections counted before this listened. */
    private final long countAtStart;
    /** Notifications received (of every collector). */
    private long seen;

    /** A pause from {@code startNanos} to {@code endNanos} ({@code System.nanoTime()} clock) by {@code collector}. */
    public record Pause(String collector, long startNanos, long endNanos) {
        public long nanos() {
            return endNanos - startNanos;
        }
    }

    private GcPauses() {
        long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        nanosAtUptimeZero = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(uptimeMillis);
        countAtStart = count();
    }

    /** Listens from now on, until {@link #stop()}. */
    public static GcPauses start() {
        GcPauses p = new GcPauses();
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(p, null, null);
                p.emitters.add(e);
            }
        }
        return p;
    }

    /** Whether a collector's collections stop the application (not a concurrent collector's cycles). */
    public static boolean pauses(String collectorName) {
        return !collectorName.endsWith("Cycles");
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        GcInfo gc = info.getGcInfo();
        synchronized (this) {
            seen++;
            if (pauses(info.getGcName())) {
                pauses.add(new Pause(
                        info.getGcName(),
                        nanosAtUptimeZero + TimeUnit.MILLISECONDS.toNanos(gc.getStartTime()),
                        nanosAtUptimeZero + TimeUnit.MILLISECONDS.toNanos(gc.getEndTime())));
            }
            notifyAll();
        }
    }

    /**
     * Waits (at most {@code timeoutMillis}) until the notifications of every collection the collectors' beans counted
     * so far arrived: they come after the collection, on another thread.
     */
    public synchronized void awaitNotified(long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long counted = count() - countAtStart;
        while (seen < counted) {
            long left = until - System.nanoTime();
            if (left <= 0) return;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private static long count() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionCount());
        }
        return c;
    }

    /** The pauses seen so far, oldest first. */
    public synchronized List<Pause> pauses() {
        return List.copyOf(pauses);
    }

    /** Stops listening. */
    public void stop() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // never added: nothing to remove
            }
        }
    }

    /** How many nanoseconds of {@code [from, to)} the pauses cover (they do not overlap one another). */
    public static long overlap(List<Pause> pauses, long from, long to) {
        long sum = 0;
        for (Pause p : pauses) {
            long s = Math.max(from, p.startNanos()), e = Math.min(to, p.endNanos());
            if (e > s) sum += e - s;
        }
        return sum;
    }

    @Override
    public synchronized String toString() {
        return String.format(Locale.ROOT, "%d pauses", pauses.size());
    }
}
