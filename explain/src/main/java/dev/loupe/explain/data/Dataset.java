package dev.loupe.explain.data;

import java.io.IOException;
import java.util.List;

/**
 * A random-access collection of images, each a {@code [C, H, W]} float tensor with an optional
 * class label and a source (a file path, or {@code file#index} for stacked files).
 *
 * <p>Reading one item may fail on its own (a corrupt image file): {@link #item} then throws and
 * {@link Batches} reports and skips it, so one bad file never ends a long run.
 */
public interface Dataset {
    /** Label value of an item without one. */
    int NO_LABEL = -1;

    /** A short description for messages, such as {@code fashion-mnist:test (installed)}. */
    String name();

    /** The number of items, corrupt ones included. */
    int size();

    /**
     * Item {@code index}.
     *
     * @throws IOException when this item cannot be read; other items may still be fine
     */
    Item item(int index) throws IOException;

    /** Whether items carry labels. */
    default boolean hasLabels() {
        return false;
    }

    /** Class names by label, or empty when unknown. */
    default List<String> classNames() {
        return List.of();
    }

    /** One image: {@code image} is {@code [C, H, W]}. */
    record Item(int index, dev.loupe.engine.Tensor image, int label, String source) {
    }
}
