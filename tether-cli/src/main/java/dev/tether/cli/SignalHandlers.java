package dev.tether.cli;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Installs handlers for POSIX signals through the JDK's {@code sun.misc.Signal} (module {@code jdk.unsupported}),
 * by reflection since javac warns about that API on every direct use. A handler runs on a thread the JVM starts
 * for the signal.
 */
final class SignalHandlers {
    private SignalHandlers() {}

    /**
     * Runs {@code onSignal} on each {@code SIG<name>} (number {@code number}); false if this JVM does not allow
     * handling it, or if the process was started with the signal ignored (as {@code nohup} does for SIGHUP): the JVM
     * then leaves it ignored and the handler would never run.
     */
    static boolean install(String name, int number, Runnable onSignal) {
        if (ignoredAtStart(number)) return false;
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object h = Proxy.newProxyInstance(
                    SignalHandlers.class.getClassLoader(), new Class<?>[] {handler}, (p, m, a) -> {
                        if (m.getName().equals("handle")) onSignal.run();
                        return m.getDeclaringClass() == Object.class ? objectMethod(p, m, a, name) : null;
                    });
            Method handle = signal.getMethod("handle", signal, handler);
            handle.invoke(null, signal.getConstructor(String.class).newInstance(name), h);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Whether the process ignores signal {@code number} (Linux: {@code SigIgn} of /proc/self/status). */
    static boolean ignoredAtStart(int number) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(
                            line.substring("SigIgn:".length()).trim(), 16);
                    return (mask & (1L << (number - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // not Linux: assume the usual, not ignored
        }
        return false;
    }

    private static Object objectMethod(Object proxy, Method m, Object[] args, String name) {
        return switch (m.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "handler of SIG" + name;
        };
    }
}
