package dev.loupe.explain.data;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Images from an IDX file ({@code [N, H, W]} or {@code [N, C, H, W]} unsigned bytes, scaled to
 * [0, 1]) with labels from an optional IDX label file ({@code [N]}). Held in memory. A truncated
 * file is reported and its complete items are used.
 */
public final class IdxDataset implements Dataset {
    private final String name;
    private final Idx.Array images;
    private final byte[] labels;
    private final int count;
    private final int[] itemShape;
    private final List<String> classNames;

    public IdxDataset(String name, Idx.Array images, Idx.Array labels, List<String> classNames, Consumer<String> warnings) {
        Consumer<String> warn = warnings == null ? w -> { } : warnings;
        int[] d = images.shape();
        if (d.length != 3 && d.length != 4) {
            throw new IllegalArgumentException(images.source() + ": IDX images must be [N, H, W] or [N, C, H, W], got rank " + d.length);
        }
        this.name = name;
        this.images = images;
        this.itemShape = d.length == 3 ? new int[] {1, d[1], d[2]} : new int[] {d[1], d[2], d[3]};
        int n = images.complete();
        if (n < d[0]) {
            warn.accept(images.source() + " is truncated: " + n + " of " + d[0] + " images are complete; using those");
        }
        if (labels != null) {
            int nl = labels.complete();
            if (labels.shape().length != 1) {
                warn.accept(labels.source() + ": labels must be [N]; ignoring them");
                labels = null;
            } else if (nl < n) {
                warn.accept(labels.source() + " holds " + nl + " labels for " + n + " images; using the first " + nl + " images");
                n = nl;
            }
        }
        this.labels = labels == null ? null : labels.data();
        this.count = n;
        this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    /**
     * Opens an IDX image file. Labels are looked for beside it: the same name with
     * {@code images-idx3} replaced by {@code labels-idx1} (the MNIST naming), gzipped or not.
     */
    public static IdxDataset open(Path imagesFile, List<String> classNames, Consumer<String> warnings) throws IOException {
        Idx.Array im = Idx.readPartial(imagesFile);
        Idx.Array lab = null;
        String fn = imagesFile.getFileName().toString();
        if (fn.contains("images-idx3")) {
            String base = fn.replace("images-idx3", "labels-idx1").replaceFirst("\\.gz$", "");
            Path lp = imagesFile.resolveSibling(base + ".gz");
            if (!Files.isRegularFile(lp)) {
                lp = imagesFile.resolveSibling(base);
            }
            if (Files.isRegularFile(lp)) {
                try {
                    lab = Idx.readPartial(lp);
                } catch (IOException e) {
                    if (warnings != null) {
                        warnings.accept(lp + ": " + e.getMessage() + "; continuing without labels");
                    }
                }
            }
        }
        return new IdxDataset(imagesFile.toString(), im, lab, classNames, warnings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return count;
    }

    /** {@code [C, H, W]} of every item. */
    public int[] itemShape() {
        return itemShape.clone();
    }

    @Override
    public Item item(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("item " + index + " of " + count);
        }
        int inner = itemShape[0] * itemShape[1] * itemShape[2];
        float[] v = new float[inner];
        byte[] src = images.data();
        int off = index * inner;
        for (int i = 0; i < inner; i++) {
            v[i] = (src[off + i] & 0xff) / 255f;
        }
        int label = labels == null ? NO_LABEL : labels[index] & 0xff;
        // Sources stay short: "fashion-mnist:test#12", not the description in parentheses.
        int cut = name.indexOf(" (");
        return new Item(index, new Tensor(itemShape, v), label, (cut > 0 ? name.substring(0, cut) : name) + "#" + index);
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }
}
