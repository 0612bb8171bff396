package dev.tether.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code tether} command. Subcommands: {@code demo}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "demo":
                    return Demo.run(DemoOptions.parse(rest), out);
                default:
                    err.println("tether: unknown command '" + args[0] + "'");
                    usage(err);
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println("tether " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: tether <command> [options]");
        out.println();
        out.println("commands:");
        out.println("  demo   several in-process nodes exchange messages through a faulty network and crashes,");
        out.println("         then print sent / delivered / lost / duplicated / out-of-order counts");
        out.println("         options: " + DemoOptions.HELP);
    }
}
