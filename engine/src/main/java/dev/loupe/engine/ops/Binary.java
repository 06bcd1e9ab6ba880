package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.FusesRelu;
import dev.loupe.engine.Op;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Element-wise {@code Add}, {@code Sub}, {@code Mul}, {@code Div} and {@code Pow} with numpy
 * (multidirectional) broadcasting: {@code y = a op b}, where an axis of size 1 (or a missing
 * leading axis) is repeated to match the other operand.
 *
 * <p>Backward: each input's gradient is the local derivative times the output gradient
 * ({@code 1}, {@code -1}, {@code b} / {@code a}, {@code 1/b} / {@code -a/b²}, {@code b·a^(b-1)} /
 * {@code y·ln a}), summed over the axes along which that input was broadcast so it has the input's
 * shape again. For Pow the exponent's gradient is taken as 0 where {@code a <= 0} (ln undefined).
 *
 * <p>Equal shapes and scalar operands run as one flat loop; a per-channel operand ([C,1,1]
 * against [N,C,H,W]) runs as N·C rows with a constant, see {@link Strided}.
 */
public final class Binary implements Op, FusesRelu {
    /** The arithmetic operation. */
    public enum Kind {
        ADD("Add"), SUB("Sub"), MUL("Mul"), DIV("Div"), POW("Pow");

        final String onnx;

        Kind(String onnx) {
            this.onnx = onnx;
        }
    }

    private static final int GRAIN = 1 << 15;

    private final Kind kind;

    public Binary(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String type() {
        return kind.onnx;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor y = apply(kind, a, b);
        saved.put(a, b, y);
        return new Tensor[] {y};
    }

    /** A residual sum followed by ReLU, in CNN terms; any kind works the same way. */
    @Override
    public Tensor forwardWithRelu(Tensor[] inputs) {
        Tensor y = apply(kind, inputs[0], inputs[1]);
        Relu.inPlace(y.data());
        return y;
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor a = saved.tensor(0);
        Tensor b = saved.tensor(1);
        Tensor y = saved.tensor(2);
        Tensor g = gradOutputs[0];
        Tensor ga = null;
        Tensor gb = null;
        boolean needA = needInputGrad[0];
        boolean needB = needInputGrad.length > 1 && needInputGrad[1];
        switch (kind) {
            case ADD -> {
                ga = needA ? Shapes.sumTo(g, a.shape()) : null;
                gb = needB ? Shapes.sumTo(g, b.shape()) : null;
            }
            case SUB -> {
                ga = needA ? Shapes.sumTo(g, a.shape()) : null;
                gb = needB ? negate(Shapes.sumTo(g, b.shape())) : null;
            }
            case MUL -> {
                ga = needA ? Shapes.sumTo(apply(Kind.MUL, g, b), a.shape()) : null;
                gb = needB ? Shapes.sumTo(apply(Kind.MUL, g, a), b.shape()) : null;
            }
            case DIV -> {
                Tensor gOverB = apply(Kind.DIV, g, b);
                ga = needA ? Shapes.sumTo(gOverB, a.shape()) : null;
                // d(a/b)/db = -y/b, so the b gradient is -(g/b)·y.
                gb = needB ? negate(Shapes.sumTo(apply(Kind.MUL, gOverB, y), b.shape())) : null;
            }
            case POW -> {
                if (needA) {
                    Tensor bb = Shapes.expand(b, y.shape());
                    Tensor aa = Shapes.expand(a, y.shape());
                    float[] d = new float[y.size()];
                    float[] gd = g.data();
                    for (int i = 0; i < d.length; i++) {
                        float e = bb.data()[i];
                        d[i] = e == 0f ? 0f : gd[i] * e * (float) Math.pow(aa.data()[i], e - 1.0);
                    }
                    ga = Shapes.sumTo(new Tensor(y.shape(), d), a.shape());
                }
                if (needB) {
                    Tensor aa = Shapes.expand(a, y.shape());
                    float[] d = new float[y.size()];
                    float[] gd = g.data();
                    for (int i = 0; i < d.length; i++) {
                        float base = aa.data()[i];
                        d[i] = base > 0f ? gd[i] * y.data()[i] * (float) Math.log(base) : 0f;
                    }
                    gb = Shapes.sumTo(new Tensor(y.shape(), d), b.shape());
                }
            }
            default -> throw new IllegalStateException();
        }
        return new Tensor[] {ga, gb};
    }

    private static Tensor negate(Tensor t) {
        float[] d = t.data();
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = -d[i];
        }
        return new Tensor(t.shape(), r);
    }

    /** {@code a op b} with broadcasting; neither input is modified. */
    static Tensor apply(Kind kind, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        float[] out = Buffers.output(Shapes.size(shape));
        float[] ad = a.data();
        float[] bd = b.data();
        Strided it = Strided.of(shape, Shapes.broadcastStrides(a.shape(), shape), Shapes.broadcastStrides(b.shape(), shape));
        int n = it.inner();
        int sa = it.innerStride(0);
        int sb = it.innerStride(1);
        if (it.rows() == 1) {
            // One flat row (equal shapes, or a scalar against anything): split the row itself.
            Parallel.forRange(n, GRAIN, (from, to) -> row(kind, ad, from * sa, sa, bd, from * sb, sb, out, from, to - from));
        } else {
            Parallel.forRange(it.rows(), Math.max(1, GRAIN / Math.max(1, n)), (from, to) -> {
                for (int r = from; r < to; r++) {
                    row(kind, ad, it.offset(r, 0), sa, bd, it.offset(r, 1), sb, out, r * n, n);
                }
            });
        }
        return new Tensor(shape, out);
    }

    /** One row: {@code out[o+j] = a[ao + j*sa] op b[bo + j*sb]}, with the constant-operand cases unrolled. */
    private static void row(Kind kind, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] out, int o, int n) {
        if (sa == 1 && sb == 1) {
            switch (kind) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] + b[bo + j]; }
                case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] - b[bo + j]; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] * b[bo + j]; }
                case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] / b[bo + j]; }
                case POW -> { for (int j = 0; j < n; j++) out[o + j] = pow(a[ao + j], b[bo + j]); }
                default -> throw new IllegalStateException();
            }
        } else if (sa == 1 && sb == 0) {
            float c = b[bo];
            switch (kind) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] + c; }
                case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] - c; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] * c; }
                case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[ao + j] / c; }
                case POW -> { for (int j = 0; j < n; j++) out[o + j] = pow(a[ao + j], c); }
                default -> throw new IllegalStateException();
            }
        } else if (sa == 0 && sb == 1) {
            float c = a[ao];
            switch (kind) {
                case ADD -> { for (int j = 0; j < n; j++) out[o + j] = c + b[bo + j]; }
                case SUB -> { for (int j = 0; j < n; j++) out[o + j] = c - b[bo + j]; }
                case MUL -> { for (int j = 0; j < n; j++) out[o + j] = c * b[bo + j]; }
                case DIV -> { for (int j = 0; j < n; j++) out[o + j] = c / b[bo + j]; }
                case POW -> { for (int j = 0; j < n; j++) out[o + j] = pow(c, b[bo + j]); }
                default -> throw new IllegalStateException();
            }
        } else {
            for (int j = 0; j < n; j++) {
                out[o + j] = scalar(kind, a[ao + j * sa], b[bo + j * sb]);
            }
        }
    }

    private static float scalar(Kind kind, float x, float y) {
        return switch (kind) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> pow(x, y);
        };
    }

    private static float pow(float x, float y) {
        // Squares are common (variance, L2 norms) and Math.pow is slow.
        return y == 2f ? x * x : (float) Math.pow(x, y);
    }
}
