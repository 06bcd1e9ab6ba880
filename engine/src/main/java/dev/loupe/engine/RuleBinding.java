package dev.loupe.engine;

/**
 * An attachment of a {@link RuleComposite} to a graph, undone by {@link #close()}. Use it with
 * try-with-resources so a modified backward never outlives the explanation that needed it.
 */
public final class RuleBinding implements AutoCloseable {
    private final Graph graph;
    private final RuleComposite composite;
    private boolean closed;

    RuleBinding(Graph graph, RuleComposite composite) {
        this.graph = graph;
        this.composite = composite;
    }

    RuleComposite composite() {
        return composite;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            graph.unbind(this);
        }
    }
}
