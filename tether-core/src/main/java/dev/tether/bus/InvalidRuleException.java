package dev.tether.bus;

import dev.tether.TetherException;

/**
 * A routing rule is invalid (a bad name, pattern, field, action or target, a duplicate name, too many rules): nothing
 * was changed. The message names the rule, the field and the problem; {@link #field()} and {@link #problem()} give
 * them apart.
 */
public class InvalidRuleException extends TetherException {
    private static final long serialVersionUID = 1L;

    private final String rule;
    private final String field;
    private final String problem;

    /**
     * {@code field} of rule {@code rule} (null if the rule has no valid name yet) has {@code problem}.
     *
     * @param field the field, as {@code name}, {@code match.recipient}, {@code match.header.tenant}, {@code action}
     */
    public InvalidRuleException(String rule, String field, String problem) {
        super((rule == null ? "routing rule" : "routing rule '" + rule + "'") + ": " + field + ": " + problem);
        this.rule = rule;
        this.field = field;
        this.problem = problem;
    }

    /** The rule's name, or null if it had none that was valid. */
    public String rule() {
        return rule;
    }

    /** The field at fault: {@code name}, {@code priority}, {@code match.<field>}, {@code action}, {@code rules}. */
    public String field() {
        return field;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
