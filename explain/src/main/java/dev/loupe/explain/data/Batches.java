package dev.loupe.explain.data;

import dev.loupe.engine.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Streams a dataset in batches: at most {@code limit} items from the start, each passed through a
 * transform (for example the model's preprocessing), stacked {@code batch} at a time. An item that
 * cannot be read, or whose transformed shape differs from the first item's, is reported to the
 * warning sink and skipped.
 */
public final class Batches implements Iterable<Batch> {
    private final Dataset dataset;
    private final int batch;
    private final int limit;
    private final UnaryOperator<Tensor> transform;
    private final Consumer<String> warnings;

    /**
     * @param batch     items per batch, at least 1
     * @param limit     the most items to read (counting from index 0); 0 or less for all
     * @param transform applied to each {@code [C, H, W]} item; null for none
     * @param warnings  receives one message per skipped item; null to drop them
     */
    public Batches(Dataset dataset, int batch, int limit, UnaryOperator<Tensor> transform, Consumer<String> warnings) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        this.dataset = dataset;
        this.batch = batch;
        this.limit = limit <= 0 ? dataset.size() : Math.min(limit, dataset.size());
        this.transform = transform == null ? UnaryOperator.identity() : transform;
        this.warnings = warnings == null ? w -> { } : warnings;
    }

    /** The number of items that will be attempted. */
    public int total() {
        return limit;
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private int next = 0;
            private int[] shape;
            private Batch pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    pending = read();
                }
                return pending != null;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Batch b = pending;
                pending = null;
                return b;
            }

            private Batch read() {
                List<Tensor> images = new ArrayList<>();
                List<Dataset.Item> items = new ArrayList<>();
                while (images.size() < batch && next < limit) {
                    int i = next++;
                    try {
                        Dataset.Item item = dataset.item(i);
                        Tensor t = transform.apply(item.image());
                        if (shape == null) {
                            shape = t.shape();
                        } else if (!Arrays.equals(shape, t.shape())) {
                            warnings.accept(item.source() + ": shape " + Arrays.toString(t.shape()) + " differs from the first item's "
                                    + Arrays.toString(shape) + "; skipped");
                            continue;
                        }
                        images.add(t);
                        items.add(item);
                    } catch (IOException | RuntimeException e) {
                        warnings.accept("item " + i + " of " + dataset.name() + ": " + e.getMessage() + "; skipped");
                    }
                }
                if (images.isEmpty()) {
                    return null;
                }
                int inner = images.get(0).size();
                float[] data = new float[images.size() * inner];
                int[] idx = new int[images.size()];
                int[] labels = new int[images.size()];
                String[] sources = new String[images.size()];
                for (int k = 0; k < images.size(); k++) {
                    System.arraycopy(images.get(k).data(), 0, data, k * inner, inner);
                    idx[k] = items.get(k).index();
                    labels[k] = items.get(k).label();
                    sources[k] = items.get(k).source();
                }
                int[] s = new int[shape.length + 1];
                s[0] = images.size();
                System.arraycopy(shape, 0, s, 1, shape.length);
                return new Batch(new Tensor(s, data), idx, labels, sources);
            }
        };
    }
}
