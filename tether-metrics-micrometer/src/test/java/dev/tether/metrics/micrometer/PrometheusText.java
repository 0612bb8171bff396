package dev.tether.metrics.micrometer;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line must be a comment, a
 * {@code # HELP}/{@code # TYPE} line or a well-formed sample of a family whose TYPE came first; anything else fails
 * with the line. Samples are kept by their full series name ({@code name{a="x",b="y"}}, labels sorted).
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE =
            Pattern.compile("(" + NAME + ")(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*)\\})? "
                    + "([-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|NaN|Inf))( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final List<String> SUFFIXES = List.of("_total", "_bucket", "_count", "_sum", "_max", "");

    final Map<String, String> types = new HashMap<>();
    final Map<String, Double> samples = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        for (String line : text.split("\n")) p.line(line);
        return p;
    }

    private void line(String line) {
        if (line.isEmpty() || line.startsWith("# HELP ")) return;
        Matcher t = TYPE.matcher(line);
        if (t.matches()) {
            types.put(t.group(1), t.group(2));
            return;
        }
        if (line.startsWith("#")) return;
        Matcher s = SAMPLE.matcher(line);
        if (!s.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
        if (family(s.group(1)) == null) throw new AssertionError("sample before its # TYPE: " + line);
        samples.put(
                series(s.group(1), s.group(2)), Double.parseDouble(s.group(3).replace("Inf", "Infinity")));
    }

    private String family(String name) {
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix)) {
                String f = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(f) || types.containsKey(name)) return f;
            }
        }
        return null;
    }

    private static String series(String name, String labels) {
        if (labels == null || labels.isEmpty()) return name;
        Map<String, String> sorted = new java.util.TreeMap<>();
        Matcher l = LABEL.matcher(labels);
        while (l.find()) sorted.put(l.group(1), l.group(2));
        StringBuilder b = new StringBuilder(name).append('{');
        sorted.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** The value of a series, labels in any order, e.g. {@code value("x_total", "node", "a", "peer", "b")}. */
    double value(String name, String... labelPairs) {
        Map<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) sorted.put(labelPairs[i], labelPairs[i + 1]);
        StringBuilder b = new StringBuilder();
        sorted.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        String key = b.length() == 0 ? name : name + "{" + b.substring(0, b.length() - 1) + "}";
        Double v = samples.get(key);
        if (v == null) throw new AssertionError("no series " + key + " in the scrape");
        return v;
    }

    /** How many series of this family name (exact sample name) the scrape has. */
    long count(String name) {
        return samples.keySet().stream()
                .filter(k -> k.equals(name) || k.startsWith(name + "{"))
                .count();
    }
}
