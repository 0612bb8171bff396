// One run of scripts/repeat-test --fast: runs the selected JUnit tests once in this JVM through the JUnit Platform
// launcher, prints each failure with its stack trace, and exits 0 if every test passed, 1 if any failed, 99 if
// nothing matched. Started as a single-file source program (java -cp CLASSPATH scripts/RepeatRunner.java ...), so it
// needs no build of its own.
//
//   RepeatRunner TEST_CLASSES_DIR TESTS
//
// TESTS: comma-separated; each a class name (simple or fully qualified; * stands for any run of characters in it),
// optionally followed by #method (an exact method name).

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

public class RepeatRunner {
    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        List<String> names = classNames(classes);
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String item : args[1].split(",")) {
            String[] classAndMethod = item.strip().split("#", 2);
            List<String> matched = matching(names, classAndMethod[0]);
            if (matched.isEmpty()) System.out.println("repeat-runner: no test class matches '" + classAndMethod[0] + "'");
            for (String c : matched) {
                selectors.add(classAndMethod.length == 2 ? selectMethod(c + "#" + classAndMethod[1]) : selectClass(c));
            }
        }
        if (selectors.isEmpty()) System.exit(99);
        LauncherDiscoveryRequest request =
                LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 60);
        out.printf(
                "Tests run: %d, Failures: %d, Skipped: %d%n",
                s.getTestsStartedCount(), s.getTotalFailureCount(), s.getTestsSkippedCount());
        if (s.getTestsStartedCount() == 0) System.exit(99);
        System.exit(s.getTotalFailureCount() == 0 ? 0 : 1);
    }

    /** The fully qualified names of the top-level classes under {@code classes}. */
    private static List<String> classNames(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.map(p -> classes.relativize(p).toString())
                    .filter(f -> f.endsWith(".class") && !f.contains("$"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .toList();
        }
    }

    /** The classes whose simple or fully qualified name matches {@code glob}. */
    private static List<String> matching(List<String> names, String glob) {
        Pattern p = Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
        return names.stream()
                .filter(n -> p.matcher(n).matches() || p.matcher(n.substring(n.lastIndexOf('.') + 1)).matches())
                .toList();
    }
}
