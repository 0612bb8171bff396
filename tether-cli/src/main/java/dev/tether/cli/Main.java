package dev.tether.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.PropertiesDefaultProvider;

/**
 * The {@code tether} command. Exit codes ({@link ExitCode}): 0 success (also a node stopped by SIGTERM or SIGINT
 * after draining), 1 a failure while running (named on stderr), 2 a usage error (an unknown command, a bad flag or
 * value, named on stderr with a pointer to {@code --help}), 3 {@code tether send} could not tell whether some
 * messages were stored (and {@code tether call}/{@code request} got no answer by the deadline), 4 the handler
 * {@code tether call}/{@code request} called failed. Log lines have one format ({@link CliLog}).
 */
@Command(
        name = "tether",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {
            DemoCommand.class,
            NodeCommand.class,
            ListenCommand.class,
            SendCommand.class,
            ChatCommand.class,
            CallCommand.class,
            CallCommand.Request.class,
            HandlersCommand.class,
            StatsCommand.class,
            PeersCommand.class,
            ManagementCommands.Topology.class,
            ManagementCommands.Nodes.class,
            ManagementCommands.ChannelList.class,
            ManagementCommands.Endpoints.class,
            ManagementCommands.Subscribers.class,
            ManagementCommands.Dlq.class,
            ManagementCommands.Purge.class,
            ManagementCommands.Kick.class,
            ManagementCommands.Readmit.class,
            ManagementCommands.Pending.class,
            ManagementCommands.History.class,
            ManagementCommands.MessageStatus.class,
            RulesCommand.class,
            InspectCommand.class,
            NatsConfigCommand.class,
            RenewEpochCommand.class,
            SimulateCommand.class,
            DemoSenderCommand.class,
            CdsTrainingCommand.class
        },
        description = "Reliable intersession messaging: run nodes, send, listen, inspect.")
public final class Main implements Runnable {
    public static void main(String[] args) {
        CliLog.install(System.err, Arrays.asList(args).contains("--quiet"));
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        CommandLine cli = new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(outWriter)
                .setErr(errWriter)
                .setParameterExceptionHandler((e, cliArgs) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("tether: " + e.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
                    return ExitCode.USAGE;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Failures the node reports are explained by their message; a stack trace would bury it.
                    cmd.getErr().println("tether " + cmd.getCommandName() + ": " + describe(e));
                    return ExitCode.FAILURE;
                });
        String unknown = UnknownCommand.check(cli, args);
        if (unknown != null) {
            err.println(unknown);
            err.println("Try 'tether --help' for the list of commands.");
            return ExitCode.USAGE;
        }
        try {
            applyConfigFile(cli, args);
        } catch (IllegalArgumentException e) {
            err.println("tether: " + e.getMessage());
            return ExitCode.USAGE;
        }
        try {
            return cli.execute(args);
        } finally {
            if (ranANode(cli)) StopReport.flush(StopReport.FINAL_FLUSH_MILLIS, outWriter, errWriter);
            else {
                outWriter.flush();
                errWriter.flush();
            }
        }
    }

    /**
     * Implemented by the commands that run a node: its handler threads print deliveries, and one blocked on a
     * stdout nobody reads holds stdout's locks for ever, so the last flush after such a command is bounded ({@link
     * StopReport#FINAL_FLUSH_MILLIS}) and the process exits without it.
     */
    interface RunsANode {}

    private static boolean ranANode(CommandLine cli) {
        CommandLine.ParseResult parsed = cli.getParseResult();
        if (parsed == null || !parsed.hasSubcommand()) return false;
        return parsed.subcommand().commandSpec().userObject() instanceof RunsANode;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
    }

    /**
     * {@code --config FILE} gives defaults to the subcommand named on the command line; a key that is none of its
     * options is refused ({@link ConfigKeys}).
     */
    private static void applyConfigFile(CommandLine cli, String[] args) {
        String command = null;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (command == null && cli.getSubcommands().containsKey(args[i])) command = args[i];
            if (args[i].equals("--config") && i + 1 < args.length) file = Path.of(args[i + 1]);
            if (args[i].startsWith("--config=")) file = Path.of(args[i].substring("--config=".length()));
        }
        if (command == null || file == null) return;
        Properties p = ConfigFiles.read(file);
        CommandLine sub = cli.getSubcommands().get(command);
        ConfigKeys.of(sub.getCommandSpec()).check(p, file);
        sub.setDefaultValueProvider(new PropertiesDefaultProvider(p));
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tether " + (v != null ? v : "development")};
        }
    }
}
