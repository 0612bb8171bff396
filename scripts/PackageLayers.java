import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fails (exit 1) when the main sources of the checkout have a package cycle, or when a package of tether-core
 * depends on a package its layer must not see. Run from the repository root: {@code java
 * scripts/PackageLayers.java} (the build runs it in the validate phase). A dependency is an import or a fully
 * qualified name in code; comments and string literals do not count.
 */
public final class PackageLayers {
    /** Per package of tether-core, the packages of ours it may depend on (from the bottom layer up). */
    private static final Map<String, Set<String>> LAYERS = Map.ofEntries(
            Map.entry("dev.tether", Set.of()),
            Map.entry("dev.tether.spi", Set.of("dev.tether", "dev.tether.bus")),
            Map.entry("dev.tether.internal.util", Set.of()),
            Map.entry("dev.tether.internal.engine",
                    Set.of("dev.tether", "dev.tether.spi", "dev.tether.internal.util", "dev.tether.bus")),
            Map.entry("dev.tether.internal.runtime",
                    Set.of("dev.tether", "dev.tether.spi", "dev.tether.internal.util", "dev.tether.internal.engine",
                            "dev.tether.bus")),
            Map.entry("dev.tether.internal.call",
                    Set.of("dev.tether", "dev.tether.spi", "dev.tether.internal.util", "dev.tether.internal.engine",
                            "dev.tether.internal.runtime", "dev.tether.bus")),
            Map.entry("dev.tether.internal.channel",
                    Set.of("dev.tether", "dev.tether.internal.engine", "dev.tether.internal.runtime")),
            Map.entry("dev.tether.bus", Set.of("dev.tether")),
            Map.entry("dev.tether.internal.bus",
                    Set.of("dev.tether", "dev.tether.bus", "dev.tether.internal.engine", "dev.tether.internal.runtime",
                            "dev.tether.internal.call")),
            Map.entry("dev.tether.management", Set.of("dev.tether", "dev.tether.bus")),
            Map.entry("dev.tether.internal.management",
                    Set.of("dev.tether", "dev.tether.spi", "dev.tether.management", "dev.tether.internal.engine",
                            "dev.tether.internal.runtime", "dev.tether.bus")),
            Map.entry("dev.tether.internal.node",
                    Set.of("dev.tether", "dev.tether.spi", "dev.tether.internal.engine", "dev.tether.internal.runtime",
                            "dev.tether.internal.call", "dev.tether.internal.channel", "dev.tether.management",
                            "dev.tether.internal.management", "dev.tether.bus", "dev.tether.internal.bus")));

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern COMMENT_OR_STRING =
            Pattern.compile("//[^\\n]*|/\\*.*?\\*/|\"\"\"(?:\\\\.|[^\\\\])*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'",
                    Pattern.DOTALL);
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.tether(?:\\.\\w+)*");

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        sources.put(f, Files.readString(f));
                    }
                }
            }
        }
        Map<Path, String> packageOf = new HashMap<>();
        Set<String> packages = new TreeSet<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            Matcher m = PACKAGE.matcher(e.getValue());
            if (m.find()) {
                packageOf.put(e.getKey(), m.group(1));
                packages.add(m.group(1));
            }
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Path, String> e : sources.entrySet()) {
            String from = packageOf.get(e.getKey());
            if (from == null || e.getKey().getFileName().toString().equals("module-info.java")) continue;
            String code = COMMENT_OR_STRING.matcher(e.getValue()).replaceAll(" ");
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                String to = longestPackage(m.group(), packages);
                if (to == null || to.equals(from)) continue;
                edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                Set<String> allowed = LAYERS.get(from);
                if (allowed != null && !allowed.contains(to)) {
                    problems.add("layer: " + from + " must not depend on " + to + " (" + root.relativize(e.getKey()) + ")");
                }
            }
        }
        for (List<String> cycle : cycles(packages, edges)) problems.add("cycle: " + String.join(" <-> ", cycle));
        problems.stream().distinct().forEach(System.out::println);
        System.out.println("packages=" + packages.size() + " problems=" + problems.stream().distinct().count());
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** The longest package of ours that {@code name} starts with (a type name or a package name). */
    private static String longestPackage(String name, Set<String> packages) {
        for (String s = name; !s.isEmpty(); s = s.contains(".") ? s.substring(0, s.lastIndexOf('.')) : "") {
            if (packages.contains(s)) return s;
        }
        return null;
    }

    /** Strongly connected components of more than one package (Tarjan, iterative over a small graph). */
    private static List<List<String>> cycles(Set<String> packages, Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<List<String>> found = new ArrayList<>();
        for (String p : packages) {
            if (!index.containsKey(p)) strong(p, edges, index, low, stack, found);
        }
        return found;
    }

    private static void strong(
            String v,
            Map<String, Set<String>> edges,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<List<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : edges.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strong(w, edges, index, low, stack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) found.add(component.stream().sorted().toList());
        }
    }
}
