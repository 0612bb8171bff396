package dev.tether.internal.runtime;

import dev.tether.Priority;

/**
 * How sends enter the node loop's input ({@link LeveledInput}; docs/PROTOCOL.md, "Priority"). Until the first send
 * of a level other than the default, every send is one plain post at the default level: no level kept per stream, no
 * atomic operation beyond the queue's. From then on (for the node's life) a send waits at its level, unless sends of
 * its stream wait in the input at another level: then at theirs ({@link SendRooms.Room#enterInput}, one
 * compare-and-set per send), so one stream's sends never overtake one another.
 *
 * <p>The switch keeps that order too: the sends posted plainly before it are not counted by their streams, so the
 * first leveled send posts a fence ({@link NodeLoop#postFence}) behind them first, and every leveled send waits at the
 * default level until the fence has run. A send that found the switch not made yet, posted plainly and then finds it
 * made (it raced with the switch, so it may sit behind that fence) posts a fence of its own before returning, so that
 * nothing its thread sends later passes it.
 *
 * <p>While that fence waits, every send waits at the default level: a node whose first send of another level comes
 * behind a backlog of plain commands orders by level only once the node thread has taken them. A node configured
 * with a lane at another level ({@code TetherConfig.Builder.lanePriority}) posts by level from the start.
 *
 * <p>Threading: any thread, without locks.
 */
final class SendInput {
    private final NodeLoop loop;
    /** Set once a send of a level other than the default came; never cleared. */
    private volatile boolean leveled;

    /** {@code leveled}: from the start (a lane is configured at a level other than the default). */
    SendInput(NodeLoop loop, boolean leveled) {
        this.loop = loop;
        this.leveled = leveled;
    }

    /** Posts {@code submit}, a send of {@code level} on {@code room}'s stream. */
    void post(SendCommands.Submit submit, SendRooms.Room room, int level) {
        if (!leveled) {
            if (level == Priority.DEFAULT) {
                loop.post(submit);
                if (leveled) loop.postFence(null); // raced with the switch: keep this thread's later sends behind it
                return;
            }
            leveled = true;
            loop.postFence(null); // behind every send posted without a level
        }
        submit.counted = true;
        loop.post(submit, room.enterInput(loop.levelFor(level)));
    }

    /** Whether sends are posted by level now. */
    boolean leveled() {
        return leveled;
    }
}
