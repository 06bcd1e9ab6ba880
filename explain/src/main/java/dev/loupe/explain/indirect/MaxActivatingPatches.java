package dev.loupe.explain.indirect;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.Progress;
import dev.loupe.explain.data.Batch;
import dev.loupe.explain.data.Batches;
import dev.loupe.explain.data.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Maximally activating patches (Girshick et al.; Zeiler &amp; Fergus): stream a dataset through the
 * model and keep, for each channel of a layer, the {@code k} images in which that channel fires
 * most strongly, with where. Each image contributes its strongest position per channel once, so a
 * channel's top list shows k different images. Memory is bounded by a min-heap of k hits per
 * channel; the images themselves are read again only for the hits kept ({@link #crop}).
 *
 * <p>The run can be cancelled between batches (the {@code cancelled} supplier, or interrupting the
 * thread): the result then holds the hits of every batch finished so far and says it is partial.
 */
public final class MaxActivatingPatches {
    private MaxActivatingPatches() {
    }

    /** One activation kept: its value, the dataset index and label of the image, and the unit (y, x). */
    public record Hit(float value, int image, int label, String source, int y, int x) {
    }

    /**
     * @param layer       a 4-D activation
     * @param k           hits kept per channel
     * @param batch       images per forward pass
     * @param limit       images read at most (≤ 0: all)
     */
    public record Options(String layer, int k, int batch, int limit) {
        public Options {
            if (k < 1 || batch < 1) {
                throw new IllegalArgumentException("k and batch must be at least 1");
            }
        }
    }

    /**
     * The outcome. {@code hits.get(c)} are channel c's best hits, strongest first.
     *
     * @param complete false when the run was cancelled before reading every image
     */
    public record Result(String layer, ReceptiveField field, int[] imageSize, List<List<Hit>> hits, int imagesSeen, int imagesTotal,
            boolean complete) {
        /** The channels whose best hit is strongest, strongest first. */
        public int[] topChannels(int count) {
            return IntStream.range(0, hits.size()).filter(c -> !hits.get(c).isEmpty()).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -hits.get(c).get(0).value()))
                    .limit(count).mapToInt(Integer::intValue).toArray();
        }
    }

    public static Result run(Graph graph, Dataset data, UnaryOperator<Tensor> transform, Options options, Progress progress,
            BooleanSupplier cancelled, Consumer<String> warnings) {
        Graph g = Models.batchable(graph);
        Progress p = progress == null ? Progress.NONE : progress;
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        Batches batches = new Batches(data, options.batch(), options.limit(), transform, warnings);
        List<PriorityQueue<Hit>> heaps = null;
        ReceptiveField field = null;
        int[] imageSize = null;
        int seen = 0;
        boolean complete = true;
        for (Batch b : batches) {
            Tensor act = Models.evaluate(g, b.images(), options.layer());
            Images.requireImage(act, "layer '" + options.layer() + "'");
            if (heaps == null) {
                imageSize = new int[] {b.images().dim(2), b.images().dim(3)};
                field = ReceptiveField.of(g, options.layer(), imageSize[0], imageSize[1]);
                heaps = new ArrayList<>();
                for (int c = 0; c < act.dim(1); c++) {
                    heaps.add(new PriorityQueue<>(options.k() + 1, Comparator.comparingDouble(Hit::value)));
                }
            }
            offer(act, b, heaps, options.k());
            seen += b.size();
            p.update(seen, batches.total());
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                complete = seen >= batches.total();
                break;
            }
        }
        if (heaps == null) {
            throw new IllegalArgumentException("no readable image in " + data.name());
        }
        List<List<Hit>> hits = new ArrayList<>();
        for (PriorityQueue<Hit> h : heaps) {
            List<Hit> l = new ArrayList<>(h);
            l.sort(Comparator.comparingDouble((Hit x) -> -x.value()).thenComparingInt(Hit::image));
            hits.add(l);
        }
        return new Result(options.layer(), field, imageSize, hits, seen, batches.total(), complete);
    }

    private static void offer(Tensor act, Batch b, List<PriorityQueue<Hit>> heaps, int k) {
        int c = act.dim(1);
        int h = act.dim(2);
        int w = act.dim(3);
        int hw = h * w;
        float[] d = act.data();
        for (int item = 0; item < b.size(); item++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (item * c + ch) * hw;
                int arg = 0;
                float best = d[off];
                for (int i = 1; i < hw; i++) {
                    if (d[off + i] > best) {
                        best = d[off + i];
                        arg = i;
                    }
                }
                PriorityQueue<Hit> heap = heaps.get(ch);
                if (heap.size() < k || best > heap.peek().value()) {
                    heap.add(new Hit(best, b.indices()[item], b.labels()[item], b.sources()[item], arg / w, arg % w));
                    if (heap.size() > k) {
                        heap.poll();
                    }
                }
            }
        }
    }

    /** The (transformed) image a hit came from, {@code [C, H, W]}. */
    public static Tensor image(Dataset data, UnaryOperator<Tensor> transform, Hit hit) throws IOException {
        Tensor t = data.item(hit.image()).image();
        return transform == null ? t : transform.apply(t);
    }

    /** The receptive field of a hit cut from its image {@code [C, H, W]}, clamped at the borders. */
    public static Tensor crop(Tensor image, ReceptiveField field, Hit hit) {
        int[] r = field.clampedRegion(hit.y(), hit.x(), image.dim(1), image.dim(2));
        return crop(image, r);
    }

    /** Rows {@code [r0, r2)} and columns {@code [r1, r3)} of a {@code [C, H, W]} image. */
    public static Tensor crop(Tensor image, int[] r) {
        int c = image.dim(0);
        int hh = image.dim(1);
        int ww = image.dim(2);
        int ch = r[2] - r[0];
        int cw = r[3] - r[1];
        float[] out = new float[c * ch * cw];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(image.data(), (k * hh + r[0] + y) * ww + r[1], out, (k * ch + y) * cw, cw);
            }
        }
        return new Tensor(new int[] {c, ch, cw}, out);
    }

    /**
     * The lecture's figure: one row per channel, its hits' patches left to right, each patch
     * min–max scaled to [0, 1] (the model input may be normalised).
     *
     * @throws IOException when an image cannot be read again
     */
    public static TileGrid grid(Result result, Dataset data, UnaryOperator<Tensor> transform, int[] channels) throws IOException {
        List<TileGrid.Row> rows = new ArrayList<>();
        for (int ch : channels) {
            List<TileGrid.Tile> tiles = new ArrayList<>();
            for (Hit hit : result.hits().get(ch)) {
                Tensor patch = crop(image(data, transform, hit), result.field(), hit);
                tiles.add(new TileGrid.Tile(unit(patch), String.format("%.2f", hit.value())));
            }
            rows.add(new TileGrid.Row("ch " + ch, tiles));
        }
        return new TileGrid(rows);
    }

    /** {@code t} min–max scaled to [0, 1]. */
    public static Tensor unit(Tensor t) {
        float[] r = TileGrid.range(t.data(), 0, t.size());
        return new Tensor(t.shape(), TileGrid.scale(t.data(), 0, t.size(), r[0], r[1]));
    }
}
