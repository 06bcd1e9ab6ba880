package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.explain.cam.Upsample;
import dev.loupe.explain.data.Dataset;
import dev.loupe.render.data.DataSources;
import dev.loupe.render.image.Images;
import dev.loupe.render.image.Preprocess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * {@code --data} and how its images become model inputs. Image folders are decoded with the
 * preprocessing (--preset, --size, --mean, --std); IDX, .npy and fashion-mnist data are used as
 * stored ([0, 1] pixels for IDX), with --mean/--std applied when given. Either way the channels
 * are then matched to the model (gray repeated to RGB, RGB averaged to gray) and the image is
 * resized bilinearly to the model's declared height and width.
 */
final class DataOptions {
    @Option(names = "--data", paramLabel = "D", required = true,
            description = "Images: a folder (one sub-folder per class), an IDX file, a .npy stack, or fashion-mnist:train|test.")
    String data;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Use at most the first N images (default: all).")
    int limit;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "imagenet",
            description = "Preprocessing of image-folder photos: imagenet or none (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--size", paramLabel = "N", description = "Photo input size N x N (default: the preset's or the model's).")
    Integer size;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", description = "Per-channel mean.")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", description = "Per-channel std.")
    float[] std;

    private Preprocess preprocess;

    Preprocess preprocess(Graph graph) {
        if (preprocess == null) {
            try {
                Preprocess p = Preprocess.preset(preset);
                Integer s = size != null ? size : declaredSquare(graph);
                if (s != null) {
                    p = p.withSize(s);
                }
                if (mean != null) {
                    p = p.withMean(mean);
                }
                if (std != null) {
                    p = p.withStd(std);
                }
                preprocess = p;
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }
        return preprocess;
    }

    static Integer declaredSquare(Graph graph) {
        int[] s = graph == null ? null : graph.inputs().get(0).shape();
        return s != null && s.length == 4 && s[2] > 0 && s[2] == s[3] ? s[2] : null;
    }

    /** Opens the dataset; warnings (skipped items) go to {@code err}. */
    Dataset open(Graph graph, PrintWriter err) throws IOException {
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1, got " + batch);
        }
        Preprocess p = preprocess(graph);
        try {
            return DataSources.open(data, file -> {
                Tensor t = p.apply(Images.load(file)).tensor();
                return t.reshape(t.dim(1), t.dim(2), t.dim(3));
            }, warnings(err));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Consumer<String> warnings(PrintWriter err) {
        return w -> {
            err.println("loupe: warning: " + w);
            err.flush();
        };
    }

    boolean isFolder() {
        return java.nio.file.Files.isDirectory(Path.of(data.startsWith("fashion-mnist:") ? "/nonexistent" : data));
    }

    /** The per-item transform from dataset images to model inputs. */
    UnaryOperator<Tensor> transform(Graph graph) {
        ValueInfo in = graph == null ? null : graph.inputs().get(0);
        int[] s = in == null ? null : in.shape();
        int wantC = s != null && s.length == 4 ? s[1] : -1;
        int wantH = s != null && s.length == 4 ? s[2] : -1;
        int wantW = s != null && s.length == 4 ? s[3] : -1;
        boolean normalise = !isFolder() && (mean != null || std != null);
        return t -> {
            Tensor x = t;
            int c = x.dim(0);
            if (wantC > 0 && c != wantC) {
                x = channels(x, wantC);
            }
            if (wantH > 0 && wantW > 0 && (x.dim(1) != wantH || x.dim(2) != wantW)) {
                Tensor up = Upsample.bilinear(x.reshape(1, x.dim(0), x.dim(1), x.dim(2)), wantH, wantW);
                x = up.reshape(x.dim(0), wantH, wantW);
            }
            if (normalise) {
                x = x.copy();
                int plane = x.dim(1) * x.dim(2);
                for (int k = 0; k < x.dim(0); k++) {
                    float m = mean == null ? 0 : mean[Math.min(k, mean.length - 1)];
                    float sd = std == null ? 1 : std[Math.min(k, std.length - 1)];
                    for (int i = 0; i < plane; i++) {
                        x.data()[k * plane + i] = (x.data()[k * plane + i] - m) / sd;
                    }
                }
            }
            return x;
        };
    }

    private static Tensor channels(Tensor x, int want) {
        int c = x.dim(0);
        int plane = x.dim(1) * x.dim(2);
        float[] out = new float[want * plane];
        if (c == 1) {
            for (int k = 0; k < want; k++) {
                System.arraycopy(x.data(), 0, out, k * plane, plane);
            }
        } else if (want == 1) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < plane; i++) {
                    out[i] += x.data()[k * plane + i] / c;
                }
            }
        } else {
            throw new UsageException("the data has " + c + " channels but the model wants " + want);
        }
        return new Tensor(new int[] {want, x.dim(1), x.dim(2)}, out);
    }
}
