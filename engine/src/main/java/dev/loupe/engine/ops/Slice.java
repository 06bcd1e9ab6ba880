package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Takes {@code x[starts:ends:steps]} along the listed axes (numpy slicing). Starts, ends, axes and
 * steps are inputs 1-4 (opset 10+; axes default to 0..k-1, steps to 1) or constructor arguments
 * (the opset ≤ 9 attributes). Negative starts and ends count from the end; out-of-range values are
 * clamped as ONNX specifies (huge INT64 ends mean "to the end"); negative steps walk backwards.
 *
 * <p>Backward scatters the gradient into a zero tensor of x's shape at the sliced positions.
 * The index inputs are not differentiable.
 */
public final class Slice implements Op {
    private final int[] starts;
    private final int[] ends;
    private final int[] axes;

    /** Opset ≤ 9 attribute form; axes may be null. */
    public Slice(int[] starts, int[] ends, int[] axes) {
        this.starts = starts == null ? null : starts.clone();
        this.ends = ends == null ? null : ends.clone();
        this.axes = axes == null ? null : axes.clone();
    }

    /** Opset 10+ form: everything from inputs. */
    public Slice() {
        this(null, null, null);
    }

    @Override
    public String type() {
        return "Slice";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    private static int[] input(Tensor[] inputs, int i, int[] fallback) {
        return inputs.length > i && inputs[i] != null ? Shapes.ints(inputs[i]) : fallback;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int rank = in.length;
        int[] st = input(inputs, 1, starts);
        int[] en = input(inputs, 2, ends);
        if (st == null || en == null) {
            throw new IllegalArgumentException("Slice needs starts and ends, as attributes (opset ≤ 9) or inputs 2 and 3");
        }
        if (st.length != en.length) {
            throw new ShapeMismatchException("Slice: " + st.length + " starts but " + en.length + " ends");
        }
        int[] ax = input(inputs, 3, axes);
        if (ax == null) {
            ax = new int[st.length];
            for (int i = 0; i < ax.length; i++) {
                ax[i] = i;
            }
        } else if (ax.length != st.length) {
            throw new ShapeMismatchException("Slice: " + ax.length + " axes but " + st.length + " starts");
        }
        ax = Shapes.axes(ax, rank, "Slice");
        int[] steps = input(inputs, 4, null);
        if (steps != null && steps.length != st.length) {
            throw new ShapeMismatchException("Slice: " + steps.length + " steps but " + st.length + " starts");
        }
        int[][] maps = new int[rank][];
        for (int d = 0; d < rank; d++) {
            maps[d] = range(0, in[d], 1);
        }
        for (int i = 0; i < ax.length; i++) {
            int n = in[ax[i]];
            int step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw new IllegalArgumentException("Slice: step 0 on axis " + ax[i]);
            }
            long s = st[i] < 0 ? (long) st[i] + n : st[i];
            long e = en[i] < 0 ? (long) en[i] + n : en[i];
            if (step > 0) {
                s = clamp(s, 0, n);
                e = clamp(e, 0, n);
            } else {
                s = clamp(s, 0, n - 1);
                e = clamp(e, -1, n - 1);
            }
            maps[ax[i]] = range((int) s, (int) e, step);
        }
        saved.put(maps, in);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = maps[d].length;
        }
        return new Tensor[] {new Tensor(out, Shapes.gatherAxes(x.data(), in, maps, 0f))};
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int[] range(int start, int end, int step) {
        long count = step > 0 ? ((long) end - start + step - 1) / step : ((long) start - end - step - 1) / -step;
        int[] r = new int[(int) Math.max(0, count)];
        for (int k = 0; k < r.length; k++) {
            r[k] = start + k * step;
        }
        return r;
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[][] maps = saved.get(0);
        int[] in = saved.get(1);
        Tensor[] r = new Tensor[needInputGrad.length];
        r[0] = new Tensor(in, Shapes.scatterAxes(gradOutputs[0].data(), in, maps));
        return r;
    }
}
