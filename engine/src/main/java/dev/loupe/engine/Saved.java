package dev.loupe.engine;

/**
 * What one node kept from its forward pass for its backward pass: tensors (usually references to
 * inputs or outputs already held by the trace, never copies) and small op-specific extras such as
 * max-pool switches. Backward rules see only this and the incoming gradients.
 */
public final class Saved {
    private Object[] items = new Object[0];

    /** Replaces what is saved. */
    public void put(Object... values) {
        items = values;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(int i) {
        return (T) items[i];
    }

    public Tensor tensor(int i) {
        return (Tensor) items[i];
    }

    public int count() {
        return items.length;
    }

    /** Drops everything, so a trace that is done with backward can release memory. */
    public void clear() {
        items = new Object[0];
    }
}
