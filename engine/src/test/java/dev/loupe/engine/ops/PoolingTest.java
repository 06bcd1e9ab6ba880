package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Pooling;
import dev.loupe.engine.testing.GradCheck;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolingTest {
    /** 0..15 in a 1x1x4x4 tensor. */
    private static Tensor ramp4() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
        }
        return Tensor.of(v, 1, 1, 4, 4);
    }

    /** Distinct values spaced well beyond the finite-difference step, shuffled: no ties, no switch flips. */
    static Tensor noTies(Random rnd, int... shape) {
        int size = (int) Tensor.sizeOf(shape);
        List<Float> vals = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            vals.add((i - size / 2f) * 0.1f);
        }
        Collections.shuffle(vals, rnd);
        float[] d = new float[size];
        for (int i = 0; i < size; i++) {
            d[i] = vals.get(i);
        }
        return Tensor.of(d, shape);
    }

    private static Tensor run(Op op, Tensor x) {
        return op.forward(new Tensor[] {x}, new Saved())[0];
    }

    private static void assertClose(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4, "at " + i);
        }
    }

    @Test
    void maxPool2x2OnA4x4() {
        MaxPool pool = new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4]));
        Saved s = new Saved();
        Tensor y = pool.forward(new Tensor[] {ramp4()}, s)[0];
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {5, 7, 13, 15}, y.data());
        assertArrayEquals(new int[] {5, 7, 13, 15}, MaxPool.switches(s));
        assertArrayEquals(new int[] {1, 1, 4, 4}, MaxPool.inputShape(s));
        Tensor gx = pool.backward(s, new Tensor[] {Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2)}, new boolean[] {true})[0];
        float[] want = new float[16];
        want[5] = 1;
        want[7] = 2;
        want[13] = 3;
        want[15] = 4;
        assertArrayEquals(want, gx.data());
    }

    @Test
    void maxPoolPaddingNeverWinsAndCeilModeMatchesPyTorch() {
        // All-negative input: a zero pad would win if padding took part.
        Tensor x = ramp4();
        for (int i = 0; i < 16; i++) {
            x.data()[i] -= 100;
        }
        MaxPool pool = new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1, 1, 1}).withCeilMode(true));
        Tensor y = run(pool, x);
        // torch.nn.functional.max_pool2d(arange(16).reshape(1,1,4,4), 2, 2, padding=1, ceil_mode=True) - 100
        assertArrayEquals(new float[] {-100, -98, -97, -92, -90, -89, -88, -86, -85}, y.data());
        Tensor x5 = Tensor.of(new float[25], 1, 1, 5, 5);
        for (int i = 0; i < 25; i++) {
            x5.data()[i] = i;
        }
        MaxPool ceil = new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4]).withCeilMode(true));
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, run(ceil, x5).data());
    }

    @Test
    void maxPoolDilationAndAutoPad() {
        Tensor x = ramp4();
        MaxPool dilated = new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {1, 1}, new int[4]).withDilations(2, 2));
        assertArrayEquals(new float[] {10, 11, 14, 15}, run(dilated, x).data());
        MaxPool same = new MaxPool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[4]).withAutoPad(AutoPad.SAME_UPPER));
        // out 2x2, total pad 1 at the end: windows rows {0..2},{2..3}.
        assertArrayEquals(new float[] {10, 11, 14, 15}, run(same, x).data());
    }

    @Test
    void averagePoolCountIncludePadAndCeilModeMatchPyTorch() {
        WindowAttrs w = WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}).withCeilMode(true);
        // Values from torch.nn.functional.avg_pool2d(arange(16).reshape(1,1,4,4), 3, 2, padding=1, ceil_mode=True, ...)
        assertClose(new float[] {1.1111111f, 2.6666667f, 1.6666666f, 5.6666665f, 10f, 5.5f, 4.1666665f, 7f, 3.75f},
                run(new AveragePool(w, true), ramp4()).data());
        assertClose(new float[] {2.5f, 4f, 5f, 8.5f, 10f, 11f, 12.5f, 14f, 15f}, run(new AveragePool(w, false), ramp4()).data());
        // No pads, ceil mode: the partial last window divides by its real size even with count_include_pad.
        float[] v = new float[25];
        for (int i = 0; i < 25; i++) {
            v[i] = i;
        }
        WindowAttrs w2 = WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4]).withCeilMode(true);
        assertClose(new float[] {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24},
                run(new AveragePool(w2, true), Tensor.of(v, 1, 1, 5, 5)).data());
    }

    @Test
    void globalPools() {
        Tensor x = ramp4().reshape(1, 2, 2, 4);
        assertArrayEquals(new float[] {3.5f, 11.5f}, run(new GlobalAveragePool(), x).data());
        Saved s = new Saved();
        Tensor y = new GlobalMaxPool().forward(new Tensor[] {x}, s)[0];
        assertArrayEquals(new int[] {1, 2, 1, 1}, y.shape());
        assertArrayEquals(new float[] {7, 15}, y.data());
        assertArrayEquals(new int[] {7, 15}, MaxPool.switches(s));
    }

    @Test
    void unsupportedRanksAreReported() {
        MaxPool pool = new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4]));
        assertThrows(UnsupportedOpException.class, () -> run(pool, Tensor.zeros(1, 2, 4)));
        assertThrows(UnsupportedOpException.class, () -> OpFactory.create("MaxPool", "p", Attributes.of("kernel_shape", new int[] {2})));
        assertThrows(UnsupportedOpException.class, () -> OpFactory.create("AveragePool", "p", Attributes.empty()));
    }

    @Test
    void factoryMapsAttributes() {
        Op op = OpFactory.create("AveragePool", "p", Attributes.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
                "count_include_pad", 1, "ceil_mode", 1));
        assertArrayEquals(new int[] {1, 1, 3, 3}, run(op, Tensor.zeros(1, 1, 5, 5)).shape());
        Op max = OpFactory.create("MaxPool", "p", Attributes.of("kernel_shape", new int[] {3, 3}, "auto_pad", "SAME_LOWER",
                "strides", new int[] {2, 2}, "storage_order", 0));
        assertArrayEquals(new int[] {1, 1, 3, 3}, run(max, Tensor.zeros(1, 1, 5, 5)).shape());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Random rnd = new Random(21);
        GradCheck.check(new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4])), noTies(rnd, 2, 2, 4, 4));
        // Overlapping windows, asymmetric pads, ceil mode.
        GradCheck.check(new MaxPool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 0, 1, 2}).withCeilMode(true)),
                noTies(rnd, 1, 2, 6, 7));
        GradCheck.check(new MaxPool(WindowAttrs.of(new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 1, 1, 1}).withDilations(2, 1)),
                noTies(rnd, 1, 1, 6, 6));
        for (boolean include : new boolean[] {false, true}) {
            GradCheck.check(new AveragePool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}).withCeilMode(true),
                    include), GradCheck.random(rnd, 1, 2, 6, 6));
            GradCheck.check(new AveragePool(WindowAttrs.of(new int[] {2, 3}, new int[] {2, 1}, new int[] {0, 1, 1, 0}), include),
                    GradCheck.random(rnd, 2, 1, 5, 5));
            GradCheck.check(new AveragePool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[4]).withCeilMode(true), include),
                    GradCheck.random(rnd, 1, 1, 5, 5));
        }
        GradCheck.check(new GlobalAveragePool(), GradCheck.random(rnd, 2, 3, 3, 4));
        GradCheck.check(new GlobalMaxPool(), noTies(rnd, 2, 3, 3, 4));
    }

    /**
     * Max pooling's input gradient in a recycled (here NaN-poisoned) array: every element is
     * written, the pixels no window chose with zeros, planes split over two threads.
     */
    @Test
    void maxPoolGradientFillsARecycledArray() {
        int threads = dev.loupe.engine.Parallel.threads();
        dev.loupe.engine.Parallel.setThreads(2);
        try (dev.loupe.engine.Buffers.Scope scope = dev.loupe.engine.Buffers.recycling()) {
            Random rnd = new Random(5);
            MaxPool pool = new MaxPool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}));
            Tensor x = noTies(rnd, 3, 16, 20, 20);
            dev.loupe.engine.Buffers.release(dev.loupe.engine.Buffers.output(x.size()));
            Saved saved = new Saved();
            Tensor y = pool.forward(new Tensor[] {x}, saved)[0];
            Tensor gy = GradCheck.random(rnd, y.shape());
            float[] gx = pool.backward(saved, new Tensor[] {gy}, new boolean[] {true})[0].data();
            float[] want = new float[x.size()];
            Pooling.unpool(MaxPool.switches(saved), gy.data(), want);
            assertArrayEquals(want, gx);
        } finally {
            dev.loupe.engine.Parallel.setThreads(threads);
        }
    }

    @Test
    void unpoolRoutesThroughSwitches() {
        float[] gx = new float[4];
        Pooling.unpool(new int[] {3, -1, 3}, new float[] {1, 5, 2}, gx);
        assertArrayEquals(new float[] {0, 0, 0, 3}, gx);
    }
}
