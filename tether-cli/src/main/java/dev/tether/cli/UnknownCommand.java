package dev.tether.cli;

import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;

/** Recognises a first argument that is not a command, and names the closest command instead. */
final class UnknownCommand {
    private UnknownCommand() {}

    /** The error message if {@code args} starts with a word that is not a command of {@code cli}, else null. */
    static String check(CommandLine cli, String[] args) {
        if (args.length == 0 || args[0].startsWith("-") || cli.getSubcommands().containsKey(args[0])) return null;
        List<String> commands = cli.getSubcommands().entrySet().stream()
                .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
                .map(java.util.Map.Entry::getKey)
                .toList();
        String closest = commands.stream()
                .min(Comparator.comparingInt(c -> distance(c, args[0])))
                .orElse(null);
        String message = "tether: unknown command '" + args[0] + "'";
        if (closest != null && distance(closest, args[0]) <= Math.max(2, closest.length() / 2)) {
            return message + "; did you mean '" + closest + "'?";
        }
        return message + "; the commands are: " + String.join(", ", commands);
    }

    /** Edit distance (insertions, deletions, substitutions), case-insensitive. */
    static int distance(String a, String b) {
        a = a.toLowerCase(java.util.Locale.ROOT);
        b = b.toLowerCase(java.util.Locale.ROOT);
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
