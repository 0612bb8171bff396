package dev.tether.store.sqlite;

import dev.tether.TransactionClosedException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Wraps JDBC objects handed to a transactional handler so that they work only while its {@link SqliteTransaction}
 * is open, on its thread, and cannot end the transaction; objects they return (statements, result sets, the
 * connection again) are wrapped the same way, and {@code unwrap} gives the guarded object, never the store's own.
 * Statements the handler creates are closed when the call ends ({@link TransactionRunner}).
 */
final class JdbcGuard implements InvocationHandler {
    /** Connection methods that would end, split or change Tether's transaction. */
    private static final Set<String> CONNECTION_REFUSED = Set.of(
            "commit",
            "rollback",
            "setAutoCommit",
            "setSavepoint",
            "releaseSavepoint",
            "close",
            "abort",
            "setReadOnly",
            "setTransactionIsolation");
    /** SQL that would end or split Tether's transaction, after leading blanks and comments. */
    private static final Pattern TRANSACTION_SQL =
            Pattern.compile("^(begin|commit|end|rollback|savepoint|release)\\b.*", Pattern.DOTALL);

    private static final Pattern LEADING = Pattern.compile("^(\\s+|--[^\\n]*\\n?|/\\*.*?\\*/)+", Pattern.DOTALL);

    private final Object target;
    /** The handler call this object serves; a cached statement's guard is handed to each call that prepares it. */
    private SqliteTransaction owner;

    private final TransactionRunner runner;

    private JdbcGuard(Object target, SqliteTransaction owner, TransactionRunner runner) {
        this.target = target;
        this.owner = owner;
        this.runner = runner;
    }

    /** {@code target} as {@code type}, guarded; statements it creates are registered with {@code runner}. */
    static <T> T wrap(Class<T> type, T target, SqliteTransaction owner, TransactionRunner runner) {
        Object p = Proxy.newProxyInstance(
                JdbcGuard.class.getClassLoader(), new Class<?>[] {type}, new JdbcGuard(target, owner, runner));
        return type.cast(p);
    }

    /** Serves {@code call} from now on (a cached statement prepared again): the previous call's use ends. */
    static void handTo(Object proxy, SqliteTransaction call) {
        ((JdbcGuard) Proxy.getInvocationHandler(proxy)).owner = call;
    }

    /** @throws TransactionClosedException if {@code sql} would begin, end or split a transaction */
    static void checkSql(String sql) {
        if (sql == null) return;
        String s = LEADING.matcher(sql).replaceFirst("").toLowerCase(Locale.ROOT);
        if (TRANSACTION_SQL.matcher(s).matches()) {
            throw new TransactionClosedException("transaction control in a transactional handler (\""
                    + sql.strip() + "\"): Tether commits the handler's writes with its acknowledgment; throw to"
                    + " undo them");
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) return objectMethod(proxy, name, args);
        owner.check(name + "()");
        if (!name.equals("close")) runner.checkNotEnded(name + "()");
        if (target instanceof Connection && CONNECTION_REFUSED.contains(name)) {
            throw new TransactionClosedException("Connection." + name + "() in a transactional handler: the"
                    + " transaction is Tether's, committed with the acknowledgment; throw to undo the writes");
        }
        if (args != null && args.length == 1 && args[0] instanceof Class<?> iface) {
            // Wrapper: the object unwrapped is the guard itself, never the store's own (which could end the
            // transaction)
            if (name.equals("isWrapperFor")) return iface.isInstance(proxy);
            if (name.equals("unwrap")) return unwrap(proxy, iface);
        }
        if (args != null && args.length > 0 && args[0] instanceof String sql) checkSql(sql);
        if (name.equals("addBatch") && target instanceof Statement st) runner.batched(st);
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        Class<?> rt = method.getReturnType();
        if (result == null || !rt.isInterface() || !rt.getName().startsWith("java.sql.")) return result;
        if (result instanceof Statement st && target instanceof Connection) runner.created(st);
        return wrapAs(rt, result, owner, runner);
    }

    /**
     * {@code Wrapper.unwrap(iface)}: the guarded object itself if it is one, else refused: the store's own JDBC objects
     * would let the handler commit, roll back or close Tether's transaction.
     */
    private Object unwrap(Object proxy, Class<?> iface) throws SQLException {
        if (iface.isInstance(proxy)) return proxy;
        throw new SQLException("a transactional handler's JDBC objects are guarded and do not unwrap to "
                + iface.getName() + ": the store's own " + target.getClass().getSimpleName()
                + " would let it end Tether's transaction");
    }

    @SuppressWarnings("unchecked")
    private static <T> T wrapAs(Class<T> type, Object o, SqliteTransaction owner, TransactionRunner runner) {
        return wrap(type, (T) o, owner, runner);
    }

    private Object objectMethod(Object proxy, String name, Object[] args) {
        return switch (name) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "guarded " + target;
        };
    }
}
