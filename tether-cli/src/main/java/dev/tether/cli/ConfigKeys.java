package dev.tether.cli;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The keys a {@code --config} file may hold for one command: its long options without dashes, as picocli's {@code
 * PropertiesDefaultProvider} reads them (also prefixed with the command's qualified name, {@code tether.node.peer}).
 * Any other key is a mistake, most often a typo ({@code peers=} for {@code peer=}) that would otherwise be dropped
 * without a word: it is refused, naming the closest key.
 */
final class ConfigKeys {
    private final String command;
    private final String prefix;
    private final Set<String> keys;

    private ConfigKeys(String command, String prefix, Set<String> keys) {
        this.command = command;
        this.prefix = prefix;
        this.keys = keys;
    }

    /** The keys of {@code spec}'s options. */
    static ConfigKeys of(CommandSpec spec) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            String key = o.descriptionKey();
            keys.add(key == null || key.isEmpty() ? o.longestName().replaceFirst("^-+", "") : key);
        }
        return new ConfigKeys(spec.qualifiedName(" "), spec.qualifiedName(".") + ".", keys);
    }

    /**
     * Refuses {@code p} if it holds a key that is not one of these, naming the first such key (in order) and the
     * closest known one.
     *
     * @throws IllegalArgumentException {@code --config: unknown key 'peers' in FILE (did you mean 'peer'?)}
     */
    void check(Properties p, Path file) {
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            String bare = key.startsWith(prefix) ? key.substring(prefix.length()) : key;
            if (keys.contains(bare)) continue;
            String closest = keys.stream()
                    .min(Comparator.comparingInt(k -> UnknownCommand.distance(k, bare)))
                    .orElse(null);
            String hint = closest != null && UnknownCommand.distance(closest, bare) <= Math.max(2, closest.length() / 2)
                    ? " (did you mean '" + closest + "'?)"
                    : " (the keys are the long options of '" + command + "' without dashes: '" + command
                            + " --help' lists them)";
            throw new IllegalArgumentException("--config: unknown key '" + key + "' in " + file + hint);
        }
    }
}
