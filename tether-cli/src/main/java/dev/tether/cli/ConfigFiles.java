package dev.tether.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code --config} files: a properties file whose keys are a command's long options. A key given twice is
 * refused, as an unknown one is ({@link ConfigKeys}): {@link Properties} would silently take the last, so {@code
 * id=g} followed by {@code id=h} started node h with a new store. Stateless.
 */
final class ConfigFiles {
    /** The keys {@link NodeControl#reload} applies to a running node; any other change needs a restart. */
    private static final Set<String> RELOADED = Set.of("peer", "log-level");

    private ConfigFiles() {}

    /**
     * The properties of {@code file}.
     *
     * @throws IllegalArgumentException if it does not exist, cannot be read, or gives a key twice
     */
    static Properties read(Path file) {
        Properties p = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                if (containsKey(key)) {
                    throw new IllegalArgumentException("the key '" + key + "' is given twice (once is enough;"
                            + " the file is refused rather than one of them taken)");
                }
                return super.put(key, value);
            }
        };
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--config: no such file: " + file, e);
        } catch (IOException | IllegalArgumentException e) {
            // Properties.load throws IllegalArgumentException for a malformed backslash-u escape too
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    /**
     * The keys whose values differ between {@code started} (the file the node started with) and {@code now}, other
     * than those a reload applies ({@code prefix} is the command's qualified prefix, {@code tether.node.}): a
     * running node keeps its id, its listen address and the rest until it restarts.
     */
    static List<String> needRestart(Properties started, Properties now, String prefix) {
        Set<String> keys = new TreeSet<>(started.stringPropertyNames());
        keys.addAll(now.stringPropertyNames());
        List<String> differ = new ArrayList<>();
        for (String k : keys) {
            String bare = k.startsWith(prefix) ? k.substring(prefix.length()) : k;
            if (RELOADED.contains(bare)) continue;
            if (!Objects.equals(started.getProperty(k), now.getProperty(k))) differ.add(bare);
        }
        return differ;
    }
}
