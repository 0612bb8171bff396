package dev.tether.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Installs handlers for POSIX signals through the JDK's {@code sun.misc.Signal} (module {@code jdk.unsupported}),
 * by reflection since javac warns about that API on every direct use. A handler runs on a thread the JVM starts
 * for the signal.
 */
final class SignalHandlers {
    private SignalHandlers() {}

    /** Runs {@code onSignal} on each {@code SIG<name>}; false if this JVM does not allow handling it. */
    static boolean install(String name, Runnable onSignal) {
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

    private static Object objectMethod(Object proxy, Method m, Object[] args, String name) {
        return switch (m.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "handler of SIG" + name;
        };
    }
}
