package dev.loupe.bench.jmh;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM register tiles alone, on packed panels that stay in L1 (one K slab of {@link #KC} steps,
 * the tile then added into C): how close each shape of tile gets to {@link FmaPeak} when nothing
 * but its own loads and multiply-adds is in the way. It informs the choice of the engine's tile,
 * so the candidates are written out here beside the engine's own shape:
 * <ul>
 *   <li>{@link #rows4Vectors2}: four broadcast rows of A by two vectors of B, as
 *       {@code SimdGemm.kernel} (eight sums; six loads per eight FMAs);</li>
 *   <li>{@link #rows3Vectors3}: three rows by three vectors (nine sums; six loads per nine FMAs,
 *       still within AVX2's sixteen registers when every load of a step is scheduled first);</li>
 *   <li>{@link #lanes2Columns5}: A in the lanes, two vectors of rows by five broadcast columns of B
 *       (ten sums; seven loads per ten FMAs).</li>
 * </ul>
 * One call of each is {@code 2 * KC * sums * L} floating-point operations ({@link #flops}). The
 * tiles are static methods with the arrays and run-time offsets as arguments, their sums stored
 * inline, compiled on their own, as the engine's kernel is. As instance methods calling a store
 * helper, C2 recompiled them after the warm-up without the vector intrinsics (20-40x slower); with
 * constant offsets the row tiles ran at about 70 % of the speed they reach with run-time ones.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RegisterTileBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int KC = 256;

    private final float[] a = filled(KC * 2 * L, 7);
    private final float[] b = filled(KC * 3 * L, 5);
    private final float[] c = new float[4 * 4 * L];
    /**
     * Where the panels start: 0, but read from a field, so C2 compiles the tiles for run-time
     * offsets as in the engine (see the class comment).
     */
    private int offset;

    private static float[] filled(int n, int period) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % period) * 0.01f;
        }
        return v;
    }

    /** Floating-point operations of one call of the named benchmark method. */
    public static long flops(String method) {
        int sums = switch (method) {
            case "rows4Vectors2" -> 8;
            case "rows3Vectors3" -> 9;
            case "lanes2Columns5" -> 10;
            default -> throw new IllegalArgumentException("no register tile benchmark " + method);
        };
        return 2L * KC * sums * L;
    }

    @Benchmark
    public float rows4Vectors2() {
        return rows4Vectors2Tile(KC, a, offset, b, offset, c, offset);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static float rows4Vectors2Tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aOff + p * 4;
            int pb = bOff + p * 2 * L;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.add(FloatVector.fromArray(S, c, cOff + 0)).intoArray(c, cOff + 0);
        c01.add(FloatVector.fromArray(S, c, cOff + L)).intoArray(c, cOff + L);
        c10.add(FloatVector.fromArray(S, c, cOff + 2 * L)).intoArray(c, cOff + 2 * L);
        c11.add(FloatVector.fromArray(S, c, cOff + 3 * L)).intoArray(c, cOff + 3 * L);
        c20.add(FloatVector.fromArray(S, c, cOff + 4 * L)).intoArray(c, cOff + 4 * L);
        c21.add(FloatVector.fromArray(S, c, cOff + 5 * L)).intoArray(c, cOff + 5 * L);
        c30.add(FloatVector.fromArray(S, c, cOff + 6 * L)).intoArray(c, cOff + 6 * L);
        c31.add(FloatVector.fromArray(S, c, cOff + 7 * L)).intoArray(c, cOff + 7 * L);
        return c[cOff];
    }

    @Benchmark
    public float rows3Vectors3() {
        return rows3Vectors3Tile(KC, a, offset, b, offset, c, offset);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static float rows3Vectors3Tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aOff + p * 3;
            int pb = bOff + p * 3 * L;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector b2 = FloatVector.fromArray(S, b, pb + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
        }
        c00.add(FloatVector.fromArray(S, c, cOff + 0)).intoArray(c, cOff + 0);
        c01.add(FloatVector.fromArray(S, c, cOff + L)).intoArray(c, cOff + L);
        c02.add(FloatVector.fromArray(S, c, cOff + 2 * L)).intoArray(c, cOff + 2 * L);
        c10.add(FloatVector.fromArray(S, c, cOff + 3 * L)).intoArray(c, cOff + 3 * L);
        c11.add(FloatVector.fromArray(S, c, cOff + 4 * L)).intoArray(c, cOff + 4 * L);
        c12.add(FloatVector.fromArray(S, c, cOff + 5 * L)).intoArray(c, cOff + 5 * L);
        c20.add(FloatVector.fromArray(S, c, cOff + 6 * L)).intoArray(c, cOff + 6 * L);
        c21.add(FloatVector.fromArray(S, c, cOff + 7 * L)).intoArray(c, cOff + 7 * L);
        c22.add(FloatVector.fromArray(S, c, cOff + 8 * L)).intoArray(c, cOff + 8 * L);
        return c[cOff];
    }

    @Benchmark
    public float lanes2Columns5() {
        return lanes2Columns5Tile(KC, a, offset, b, offset, c, offset);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static float lanes2Columns5Tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S), c04 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S), c14 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aOff + p * 2 * L;
            int pb = bOff + p * 5;
            FloatVector a0 = FloatVector.fromArray(S, a, pa);
            FloatVector a1 = FloatVector.fromArray(S, a, pa + L);
            FloatVector y = FloatVector.broadcast(S, b[pb]);
            c00 = a0.fma(y, c00);
            c10 = a1.fma(y, c10);
            y = FloatVector.broadcast(S, b[pb + 1]);
            c01 = a0.fma(y, c01);
            c11 = a1.fma(y, c11);
            y = FloatVector.broadcast(S, b[pb + 2]);
            c02 = a0.fma(y, c02);
            c12 = a1.fma(y, c12);
            y = FloatVector.broadcast(S, b[pb + 3]);
            c03 = a0.fma(y, c03);
            c13 = a1.fma(y, c13);
            y = FloatVector.broadcast(S, b[pb + 4]);
            c04 = a0.fma(y, c04);
            c14 = a1.fma(y, c14);
        }
        c00.add(FloatVector.fromArray(S, c, cOff + 0)).intoArray(c, cOff + 0);
        c01.add(FloatVector.fromArray(S, c, cOff + L)).intoArray(c, cOff + L);
        c02.add(FloatVector.fromArray(S, c, cOff + 2 * L)).intoArray(c, cOff + 2 * L);
        c03.add(FloatVector.fromArray(S, c, cOff + 3 * L)).intoArray(c, cOff + 3 * L);
        c04.add(FloatVector.fromArray(S, c, cOff + 4 * L)).intoArray(c, cOff + 4 * L);
        c10.add(FloatVector.fromArray(S, c, cOff + 5 * L)).intoArray(c, cOff + 5 * L);
        c11.add(FloatVector.fromArray(S, c, cOff + 6 * L)).intoArray(c, cOff + 6 * L);
        c12.add(FloatVector.fromArray(S, c, cOff + 7 * L)).intoArray(c, cOff + 7 * L);
        c13.add(FloatVector.fromArray(S, c, cOff + 8 * L)).intoArray(c, cOff + 8 * L);
        c14.add(FloatVector.fromArray(S, c, cOff + 9 * L)).intoArray(c, cOff + 9 * L);
        return c[cOff];
    }
}
