package dev.loupe.engine;

/**
 * Chooses a backward rule per node (by op type, name, position…), or {@code null} to keep the
 * node's own backward.
 */
@FunctionalInterface
public interface RuleComposite {
    BackwardRule ruleFor(Node node);

    /** A composite that gives {@code rule} to every node of the given op type. */
    static RuleComposite forType(String opType, BackwardRule rule) {
        return node -> node.type().equals(opType) ? rule : null;
    }
}
