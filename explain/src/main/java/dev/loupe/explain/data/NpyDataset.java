package dev.loupe.explain.data;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stack of images in a {@code .npy} file: {@code [N, C, H, W]} as is, or {@code [N, H, W]} as one
 * channel; values are used as stored (no scaling). Labels come from an optional sibling file
 * {@code <name>.labels.npy} ({@code [N]} integers).
 */
public final class NpyDataset implements Dataset {
    private final String name;
    private final Tensor stack;
    private final int[] labels;
    private final int[] itemShape;

    public NpyDataset(String name, Tensor stack, int[] labels) {
        int[] s = stack.shape();
        if (s.length != 3 && s.length != 4) {
            throw new IllegalArgumentException(name + ": an image stack must be [N, C, H, W] or [N, H, W], got " + Tensor.shapeString(s));
        }
        if (labels != null && labels.length != s[0]) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + s[0] + " images");
        }
        this.name = name;
        this.stack = stack;
        this.labels = labels;
        this.itemShape = s.length == 3 ? new int[] {1, s[1], s[2]} : new int[] {s[1], s[2], s[3]};
    }

    public static NpyDataset open(Path file) throws IOException {
        Tensor t = Npy.read(file);
        String fn = file.getFileName().toString();
        Path lp = file.resolveSibling(fn.substring(0, fn.length() - ".npy".length()) + ".labels.npy");
        int[] labels = null;
        if (Files.isRegularFile(lp)) {
            float[] l = Npy.read(lp).data();
            labels = new int[l.length];
            for (int i = 0; i < l.length; i++) {
                labels[i] = Math.round(l[i]);
            }
        }
        return new NpyDataset(file.toString(), t, labels);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return stack.dim(0);
    }

    @Override
    public Item item(int index) {
        int inner = itemShape[0] * itemShape[1] * itemShape[2];
        float[] v = new float[inner];
        System.arraycopy(stack.data(), index * inner, v, 0, inner);
        return new Item(index, new Tensor(itemShape, v), labels == null ? NO_LABEL : labels[index], name + "#" + index);
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }
}
