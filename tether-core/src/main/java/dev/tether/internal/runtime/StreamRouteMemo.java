package dev.tether.internal.runtime;

/**
 * The {@link RouteMemo} of one inbound stream, kept across its delivery runs (attached to the engine's stream,
 * {@link dev.tether.internal.engine.InboundRef#attach}): what a router keeps depends on the stream alone, and a
 * stream's runs follow one another (the next is handed out only after the one before reported), so with short runs
 * (a thousand streams, a few messages pending on each) the stream's endpoint is looked up once, not once per run.
 * Everything that can change between messages is still checked per message by the router, as with a run's memo.
 *
 * <p>Read and written by the thread routing the stream's next message: a run's threads, one at a time, and the next
 * run's after the node thread took the previous run's report. Volatile anyway, since what it holds may have been
 * written by another run's thread, and written only when it changes (a run that finds it valid writes nothing).
 */
final class StreamRouteMemo implements RouteMemo {
    private volatile Object remembered;

    @Override
    public Object remembered() {
        return remembered;
    }

    @Override
    public void remember(Object o) {
        if (remembered != o) remembered = o;
    }
}
