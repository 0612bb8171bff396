package dev.tether.testkit.process;

import dev.tether.testkit.Await;

/** The program {@link ChildJvmTest} runs in child JVMs. */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "park" -> {
                System.out.println("ready maxHeap=" + Runtime.getRuntime().maxMemory() + " prop="
                        + System.getProperty("child.prop"));
                Await.untilKilled();
            }
            case "exit" -> {
                System.out.println("out line");
                System.err.println("err line");
                System.exit(Integer.parseInt(args[1]));
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
