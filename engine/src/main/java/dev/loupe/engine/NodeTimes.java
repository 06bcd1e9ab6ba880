package dev.loupe.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time spent in each node's forward and backward calls while a recording is open: where a
 * pass goes, op by op, to set beside a peer's profiler. Open one with {@link #record()} in a
 * try-with-resources block; only one recording is open at a time. A forward node that applies a
 * following ReLU ({@link FusesRelu}) is charged the ReLU's time too. Time the executor spends
 * between nodes (gradient sums at joins, bookkeeping) is not charged to any node.
 *
 * <p>When nothing is recording, each node costs the executor one volatile read. When several
 * threads run passes at once (methods that hand each thread whole batches), their times add up,
 * so the totals are thread time, not wall time.
 */
public final class NodeTimes implements AutoCloseable {
    private static volatile NodeTimes active;

    /** One node's totals: forward and backward nanoseconds and how many calls of each. */
    public record Row(Node node, long forwardNanos, int forwardCalls, long backwardNanos, int backwardCalls) {
    }

    private final Map<Node, long[]> totals = new IdentityHashMap<>();
    /** Nodes in the order they were first timed, which for a forward pass is the graph's order. */
    private final List<Node> order = new ArrayList<>();

    private NodeTimes() {
    }

    /**
     * Starts recording.
     *
     * @throws IllegalStateException if another recording is open
     */
    public static synchronized NodeTimes record() {
        if (active != null) {
            throw new IllegalStateException("a node-time recording is already open; close it first");
        }
        NodeTimes t = new NodeTimes();
        active = t;
        return t;
    }

    /** A start time for {@link #forward} or {@link #backward}, or 0 when nothing is recording. */
    static long start() {
        return active == null ? 0L : System.nanoTime();
    }

    static void forward(Node node, long start) {
        add(node, start, 0);
    }

    static void backward(Node node, long start) {
        add(node, start, 2);
    }

    private static void add(Node node, long start, int slot) {
        NodeTimes t = active;
        if (t == null || start == 0L) {
            return;
        }
        long elapsed = System.nanoTime() - start;
        synchronized (t) {
            long[] v = t.totals.get(node);
            if (v == null) {
                v = new long[4];
                t.totals.put(node, v);
                t.order.add(node);
            }
            v[slot] += elapsed;
            v[slot + 1]++;
        }
    }

    /** The totals so far, one row per node timed, in the order the nodes were first timed. */
    public synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>(order.size());
        for (Node n : order) {
            long[] v = totals.get(n);
            rows.add(new Row(n, v[0], (int) v[1], v[2], (int) v[3]));
        }
        return rows;
    }

    /** Stops recording; the totals stay readable. */
    @Override
    public void close() {
        synchronized (NodeTimes.class) {
            if (active == this) {
                active = null;
            }
        }
    }
}
