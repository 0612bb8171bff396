package dev.tether.bench.net;

import dev.tether.bench.measure.CpuMeter;
import dev.tether.bench.measure.Load;
import dev.tether.bench.measure.Round;
import dev.tether.bench.measure.Series;
import dev.tether.bench.measure.Steady;
import dev.tether.bench.measure.WarmUpRounds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;

/**
 * One side of a paired run: a scenario of {@link NetworkBench} run as in a plain run (its own set-up, its child
 * JVMs, its results), on a thread of its own, except that its rounds run one at a time when {@link PairedRun} asks.
 * The scenario's code is not changed for this: it obtains its series from {@link Rounds}, which on this side's
 * thread hands the round source to {@link #serve} instead of running {@link Steady}'s rule. So the scenario's
 * children stay up, warm, between its rounds, and a pair adds no cold start; and each round runs on the thread that
 * set the scenario up (a scenario may park that thread, as {@link HandOffFloor}'s does).
 *
 * <p>Threading: the side's thread and the paired run's thread (the driver) take turns by messages through two
 * queues; the driver sends one command and waits for its answer, so only one of the two threads runs bench code at
 * a time, and at most one side's rounds run at once. The queues give each hand-over its happens-before edge.
 */
final class PairedSide implements AutoCloseable {
    /** How long either thread waits for the other's next message before giving up: a whole side's warm-up. */
    private static final long WAIT_MINUTES = 60;

    private final String name;
    private final PairedOptions.Side side;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final SideThread thread;

    // written by the side's thread before its READY event, read by the driver after it
    private String label;
    private boolean higherIsBetter;
    private DoubleFunction<String> format;

    /** Driver only: true once the side's thread has posted its DONE event. */
    private boolean done;

    private enum Kind {
        WARM_UP,
        ROUND,
        FINISH,
        ABORT
    }

    private record Command(Kind kind, String which, Set<Long> excluded) {}

    /** From the side's thread: READY (at its rounds), ANSWER (a warm-up or a round), FAILED, DONE (results). */
    private record Event(String kind, Object value, Throwable error) {}

    /** The side's thread: {@link Rounds} recognises it. */
    static final class SideThread extends Thread {
        private final PairedSide side;

        private SideThread(PairedSide side, Runnable body) {
            super(body, "paired-" + side.name);
            this.side = side;
        }

        PairedSide side() {
            return side;
        }
    }

    private PairedSide(String name, PairedOptions.Side side, String natsUrl) {
        this.name = name;
        this.side = side;
        BenchOptions o = side.options();
        this.thread = new SideThread(this, () -> {
            try {
                events.add(new Event("DONE", NetworkBench.scenario(o, side.scenario(), natsUrl), null));
            } catch (Throwable e) { // reported to the driver, which fails the run with it
                events.add(new Event("DONE", null, e));
            }
        });
        thread.setDaemon(true);
    }

    /** Starts the side's thread: it sets its scenario up; {@link #awaitReady} waits for that. */
    static PairedSide start(String name, PairedOptions.Side side, String natsUrl) {
        PairedSide s = new PairedSide(name, side, natsUrl);
        System.out.printf(Locale.ROOT, "setting up %s = %s ...%n", name, side.spec());
        s.thread.start();
        return s;
    }

    String name() {
        return name;
    }

    String spec() {
        return side.spec();
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }

    DoubleFunction<String> format() {
        return format;
    }

    /** Waits until the scenario is set up and at its rounds. */
    void awaitReady() throws InterruptedException {
        await("READY");
    }

    /**
     * One warm-up round, measuring all but the processes {@code excluded}; true if the side's warm-up is over by
     * {@link Steady}'s rule ({@link WarmUpRounds}).
     */
    boolean warmUpRound(Set<Long> excluded) throws InterruptedException {
        return (Boolean) call(new Command(Kind.WARM_UP, "", excluded));
    }

    /** One measured round, printed as {@code which}, measuring all but the processes {@code excluded}. */
    Round round(String which, Set<Long> excluded) throws InterruptedException {
        return (Round) call(new Command(Kind.ROUND, which, excluded));
    }

    /** Ends the rounds: the scenario finishes as in a plain run (its latency runs, its shutdown); its results. */
    @SuppressWarnings("unchecked")
    List<ScenarioResult> finish() throws InterruptedException {
        commands.add(new Command(Kind.FINISH, "", Set.of()));
        return (List<ScenarioResult>) await("DONE");
    }

    /**
     * If the side still runs, makes its rounds fail so that it shuts its children down, and waits for that (a few
     * minutes at most: its child JVMs' own deadlines end it sooner).
     */
    @Override
    public void close() {
        if (done) return;
        commands.add(new Command(Kind.ABORT, "", Set.of()));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try {
            while (!done && System.nanoTime() < deadline) {
                Event e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e != null && e.kind().equals("DONE")) done = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the side is a daemon thread; its children die with this JVM
        }
    }

    private Object call(Command c) throws InterruptedException {
        commands.add(c);
        return await("ANSWER");
    }

    private Object await(String kind) throws InterruptedException {
        Event e = events.poll(WAIT_MINUTES, TimeUnit.MINUTES);
        if (e == null) throw new IllegalStateException(name + " (" + spec() + ") sent no " + kind + " in time");
        if (e.kind().equals("DONE")) done = true;
        if (e.error() != null)
            throw new IllegalStateException(name + " (" + spec() + ") failed: " + e.error(), e.error());
        if (!e.kind().equals(kind)) {
            throw new IllegalStateException(name + " (" + spec() + ") answered " + e.kind() + " where " + kind
                    + " was due (a scenario that measures no series, or more than one, cannot be paired)");
        }
        return e.value();
    }

    /**
     * On the side's thread, from {@link Rounds}: announces the scenario's rounds, runs what the driver asks (the
     * warm-up, single rounds) until it says finish, and returns the series of the measured rounds.
     */
    Series serve(
            String label, int maxWarmUp, boolean higherIsBetter, DoubleFunction<String> f, Steady.RoundSource source)
            throws Exception {
        if (this.label != null) throw new IllegalStateException("a paired side measures one series; " + label);
        this.label = label;
        this.higherIsBetter = higherIsBetter;
        this.format = f;
        String loadStart = Load.now();
        events.add(new Event("READY", null, null));
        WarmUpRounds warmUp = new WarmUpRounds(maxWarmUp);
        List<Round> measured = new ArrayList<>();
        while (true) {
            Command c = commands.poll(WAIT_MINUTES, TimeUnit.MINUTES);
            if (c == null) throw new IllegalStateException("the paired run sent " + name + " no command in time");
            try {
                CpuMeter.excludeOnThisThread(c.excluded());
                switch (c.kind()) {
                    case WARM_UP -> {
                        String which = warmUp.nextName();
                        Round r = source.next();
                        Steady.print(label, which, r, f);
                        if (warmUp.add(r))
                            System.out.printf(
                                    Locale.ROOT,
                                    "  %s: %s%n",
                                    label,
                                    warmUp.warmUp().text());
                        events.add(new Event("ANSWER", warmUp.over(), null));
                    }
                    case ROUND -> {
                        Round r = source.next();
                        Steady.print(label, c.which(), r, f);
                        measured.add(r);
                        events.add(new Event("ANSWER", r, null));
                    }
                    case FINISH -> {
                        Series s = new Series(warmUp.warmUp(), measured, loadStart, Load.now());
                        System.out.printf(Locale.ROOT, "  %s (%s): %s%n", label, name, s.text(f));
                        return s;
                    }
                    case ABORT -> throw new IllegalStateException("the paired run was aborted");
                }
            } catch (Exception e) {
                events.add(new Event("FAILED", null, e));
                throw e;
            }
        }
    }
}
