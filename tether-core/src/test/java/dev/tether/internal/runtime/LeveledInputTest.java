package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The node loop's input by priority ({@link LeveledInput}) and the rule that keeps one stream's sends at one level in
 * it ({@link SendRooms.Room#enterInput}): exact pick order, FIFO within a level, no starvation. Single-threaded.
 */
class LeveledInputTest {
    /** A command that only names itself. */
    private record Named(String name) implements NodeLoop.Command {
        @Override
        public void run(long now) {}
    }

    private static List<String> drain(LeveledInput in) {
        List<String> names = new ArrayList<>();
        for (NodeLoop.Command c = in.poll(); c != null; c = in.poll()) names.add(((Named) c).name());
        return names;
    }

    @Test
    void aLevelSevenCommandPassesQueuedLowerOnesAndLevelsKeepTheirFifoOrder() {
        LeveledInput in = new LeveledInput();
        for (int i = 0; i < 3; i++) in.add(new Named("flood" + i), 0);
        in.add(new Named("frame"), 4);
        in.add(new Named("alert0"), 7);
        in.add(new Named("alert1"), 7);
        assertThat(in.topLevel()).isEqualTo(7);
        // Stride scheduling over the levels with commands, from equal passes, ties to the higher level: 7 (its pass
        // 0 -> 1), 4 (0 -> 8), 0 (0 -> 128), then 7 again (1), and level 0's rest in order: the first level-7 command
        // passes every queued lower one, the next waits at most one pick of each other level (PROTOCOL.md's bound).
        assertThat(drain(in)).containsExactly("alert0", "frame", "flood0", "alert1", "flood1", "flood2");
        assertThat(in.isEmpty()).isTrue();
        assertThat(in.topLevel()).isEqualTo(-1);
    }

    @Test
    void onlyDefaultCommandsComeOutInTheirOrder() {
        LeveledInput in = new LeveledInput();
        for (int i = 0; i < 5; i++) in.add(new Named("c" + i), 4);
        assertThat(in.topLevel()).isEqualTo(4);
        assertThat(drain(in)).containsExactly("c0", "c1", "c2", "c3", "c4");
        assertThat(in.lastLevel()).isEqualTo(4);
    }

    @Test
    void levelZeroIsNotStarvedByALevelSevenFlood() {
        LeveledInput in = new LeveledInput();
        for (int i = 0; i < 1000; i++) in.add(new Named("high" + i), 7);
        for (int i = 0; i < 10; i++) in.add(new Named("low" + i), 0);
        List<String> order = drain(in);
        // weights 128 : 1: level 0 gets one pick in every 129 while both have commands, in its own order
        List<Integer> lowAt = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) if (order.get(i).startsWith("low")) lowAt.add(i);
        assertThat(lowAt).hasSize(10);
        for (int k = 0; k < lowAt.size(); k++) {
            assertThat(lowAt.get(k)).as("pick of low%d", k).isLessThanOrEqualTo(129 * (k + 1));
            assertThat(order.get(lowAt.get(k))).isEqualTo("low" + k);
        }
    }

    @Test
    void randomMixesKeepFifoWithinEachLevel() {
        long seed = System.nanoTime();
        System.out.println("LeveledInputTest seed " + seed);
        Random r = new Random(seed);
        LeveledInput in = new LeveledInput();
        int[] added = new int[8], taken = new int[8];
        for (int step = 0; step < 20_000; step++) {
            if (r.nextInt(3) > 0) {
                int level = r.nextInt(8);
                in.add(new Named(level + ":" + added[level]++), level);
            } else {
                NodeLoop.Command c = in.poll();
                if (c == null) continue;
                String[] p = ((Named) c).name().split(":");
                int level = Integer.parseInt(p[0]);
                assertThat(in.lastLevel()).as("seed %d", seed).isEqualTo(level);
                assertThat(Integer.parseInt(p[1])).as("seed %d", seed).isEqualTo(taken[level]++);
            }
        }
        for (NodeLoop.Command c = in.poll(); c != null; c = in.poll()) {
            String[] p = ((Named) c).name().split(":");
            assertThat(Integer.parseInt(p[1])).as("seed %d", seed).isEqualTo(taken[Integer.parseInt(p[0])]++);
        }
        assertThat(taken).as("seed %d", seed).isEqualTo(added);
    }

    @Test
    void aStreamsSendsWaitAtTheLevelOfItsQueuedOnesSoNoneOvertakesAnother() {
        SendRooms.Room room = new SendRooms(
                        new StoredState(1, List.of(), List.of(), Map.of()), k -> StreamLimits.maxMessages(100))
                .room(new StreamKey(NodeId.of("b"), "mixed"));
        LeveledInput in = new LeveledInput();
        int[] levels = {0, 7, 7, 0, 4};
        for (int i = 0; i < levels.length; i++) in.add(new Named("m" + i), room.enterInput(levels[i]));
        in.add(new Named("other-alert"), 7);
        assertThat(in.topLevel())
                .as("the stream's sends all wait at its first one's level")
                .isEqualTo(7);
        List<String> order = new ArrayList<>();
        for (NodeLoop.Command c = in.poll(); c != null; c = in.poll()) {
            String name = ((Named) c).name();
            if (name.startsWith("m")) room.leftInput();
            order.add(name);
        }
        assertThat(order).containsExactly("other-alert", "m0", "m1", "m2", "m3", "m4");
        // empty again: the next send waits at its own level
        assertThat(room.enterInput(7)).isEqualTo(7);
        assertThat(room.enterInput(0)).as("behind a queued level-7 send").isEqualTo(7);
        room.leftInput();
        room.leftInput();
        assertThat(room.enterInput(0)).isEqualTo(0);
    }
}
