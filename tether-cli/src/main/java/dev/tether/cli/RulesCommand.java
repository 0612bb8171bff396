package dev.tether.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether rules list|add|remove|enable|disable}: a running node's routing rules through its {@code
 * /mgmt/bus/rules} routes ({@link RuleRoutes}); rules in their textual form ({@code dev.tether.bus.Rule#toText}). A
 * rule the node refuses (does not parse, is invalid, a duplicate name, an unknown rule) exits 2 with the node's reason.
 */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description = "A running node's routing rules: list, add, remove, enable, disable.",
        subcommands = {
            RulesCommand.ListRules.class,
            RulesCommand.Add.class,
            RulesCommand.Remove.class,
            RulesCommand.Enable.class,
            RulesCommand.Disable.class
        })
final class RulesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: list, add, remove, enable or disable");
    }

    /** {@code tether rules list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists the rules in evaluation order (higher priority first, then by name), each with how"
                    + " many messages it matched and its abandoned regular expressions.")
    static final class ListRules extends ManagementCommands.Single {
        ListRules() {
            super(RuleRoutes.PATH);
        }
    }

    /** {@code tether rules add FIELD=VALUE...}. */
    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Adds a rule, given in its textual form, for example: name=no-spam priority=10 kind=direct"
                    + " recipient=exact:orders header.spam=exact:yes action=drop (docs/MESSAGING.md, \"Routing"
                    + " rules\"). Stored by the node before it answers.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Parameters(
                paramLabel = "FIELD=VALUE",
                arity = "1..*",
                description = "The rule's fields (name and action required); a space inside a value as %20.")
        List<String> fields;

        @Option(names = "--replace", description = "Replace the rule of this name (its counters stay).")
        boolean replace;

        @Override
        public Integer call() {
            ManagementRequest.Query q =
                    request.query().add("rule", String.join(" ", fields)).add("replace", replace ? "1" : null);
            return request.run(spec, "POST", RuleRoutes.PATH, q);
        }
    }

    /** A command on one rule by name: {@code method} of {@code /mgmt/bus/rules/NAME[suffix]}. */
    abstract static class OnRule implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Parameters(paramLabel = "NAME", description = "The rule's name.")
        String name;

        private final String method;
        private final String suffix;

        OnRule(String method, String suffix) {
            this.method = method;
            this.suffix = suffix;
        }

        @Override
        public Integer call() {
            if (!dev.tether.bus.Rule.isValidName(name)) {
                throw new ParameterException(
                        spec.commandLine(), "rule name '" + name + "': expected 1-64 characters from [A-Za-z0-9._-]");
            }
            return request.run(spec, method, RuleRoutes.PATH + "/" + name + suffix, request.query());
        }
    }

    /** {@code tether rules remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a rule.")
    static final class Remove extends OnRule {
        Remove() {
            super("DELETE", "");
        }
    }

    /** {@code tether rules enable NAME}. */
    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a rule.")
    static final class Enable extends OnRule {
        Enable() {
            super("POST", "/enable");
        }
    }

    /** {@code tether rules disable NAME}. */
    @Command(
            name = "disable",
            mixinStandardHelpOptions = true,
            description = "Disables a rule: kept and listed, not evaluated.")
    static final class Disable extends OnRule {
        Disable() {
            super("POST", "/disable");
        }
    }
}
