package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.io.Npy;
import dev.loupe.render.image.ChannelOrder;
import dev.loupe.render.image.Preprocess;
import dev.loupe.render.image.Preprocessed;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where the input comes from (--image or --tensor) and how a photo is preprocessed. */
final class InputOptions {
    static final class Source {
        @Option(names = {"-i", "--image"}, paramLabel = "IMAGE", required = true,
                description = "A photo (JPEG, PNG, BMP).")
        Path image;

        @Option(names = "--tensor", paramLabel = "X.npy", required = true,
                description = "A ready input tensor (float32 .npy, NCHW or CHW), used as is.")
        Path tensor;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Preprocessing: imagenet (resize 256, centre crop 224, ImageNet mean/std) or none (x/255). Default: imagenet, "
                    + "or none for a model with one input channel (such as fashion-cnn: gray 28x28 as x/255).")
    String preset;

    @Option(names = "--size", paramLabel = "N",
            description = "Input size N x N (imagenet: resize to N/0.875 and crop N; none: resize to N x N). "
                    + "Default: the preset's, or the model's declared square size.")
    Integer size;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", description = "Per-channel mean, in the tensor's channel order.")
    float[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", description = "Per-channel std, in the tensor's channel order.")
    float[] std;

    @Option(names = "--crop", paramLabel = "X,Y,W,H|left|right|centre",
            description = "Cut this box out of the photo before preprocessing: pixels X,Y,W,H, or the largest "
                    + "square at the left, right or centre.")
    String crop;

    @Option(names = "--channels", paramLabel = "rgb|bgr", description = "Channel order of the model input (default rgb).")
    String channels;

    /** A model input with, for photos, the preprocessed picture. */
    record Input(Tensor tensor, Preprocessed photo, Preprocess preprocess, String name) {
        /** The picture to draw maps on for batch item {@code item}. */
        BufferedImage picture(int item) {
            return photo != null ? photo.view() : preprocess.pictureOf(tensor, item);
        }
    }

    Preprocess preprocess(Graph graph) {
        Preprocess p;
        try {
            String name = preset != null ? preset : grayInput(graph) ? "none" : "imagenet";
            p = Preprocess.preset(name);
            if (channels != null) {
                p = p.withChannels(ChannelOrder.parse(channels));
            }
            // A model with a fixed input size gets it from the cropping preset; 'none' stays as is.
            Integer s = size != null ? size : p.name().equals("imagenet") || grayInput(graph) ? declaredSquareSize(graph) : null;
            if (s != null) {
                p = p.withSize(s);
            }
            if (mean != null) {
                p = p.withMean(mean);
            }
            if (std != null) {
                p = p.withStd(std);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        return p;
    }

    /** Whether the model declares a one-channel (gray) image input, as the bundled Fashion-MNIST models do. */
    static boolean grayInput(Graph graph) {
        if (graph == null || graph.inputs().size() != 1) {
            return false;
        }
        int[] s = graph.inputs().get(0).shape();
        return s != null && s.length == 4 && s[1] == 1;
    }

    /** {@code [N, 3, H, W]} as its channel mean {@code [N, 1, H, W]}: photos for a gray model. */
    static Tensor gray(Tensor t) {
        int n = t.dim(0);
        int plane = t.dim(2) * t.dim(3);
        float[] g = new float[n * plane];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < plane; j++) {
                    g[i * plane + j] += t.data()[(i * 3 + c) * plane + j] / 3f;
                }
            }
        }
        return new Tensor(new int[] {n, 1, t.dim(2), t.dim(3)}, g);
    }

    /** The model's fixed square input size, if it declares one other than the preset's. */
    private static Integer declaredSquareSize(Graph graph) {
        if (graph == null || graph.inputs().size() != 1) {
            return null;
        }
        ValueInfo in = graph.inputs().get(0);
        int[] s = in.shape();
        if (s != null && s.length == 4 && s[2] > 0 && s[2] == s[3]) {
            return s[2];
        }
        return null;
    }

    Input load(Graph graph) throws IOException {
        Preprocess p = preprocess(graph);
        if (source.image != null) {
            Preprocessed photo = p.apply(cropped(dev.loupe.render.image.Images.load(source.image)));
            Tensor x = grayInput(graph) && photo.tensor().dim(1) == 3 ? gray(photo.tensor()) : photo.tensor();
            return new Input(x, photo, p, fileName(source.image));
        }
        Path f = source.tensor;
        if (!Files.isRegularFile(f)) {
            throw new IOException("tensor file not found: " + f.toAbsolutePath());
        }
        Tensor t = Npy.read(f);
        if (t.rank() == 3) {
            t = t.reshape(prepend(1, t.shape()));
        }
        if (t.rank() != 4) {
            throw new UsageException(f + " holds a tensor of shape " + Arrays.toString(t.shape())
                    + "; an image model needs [N, C, H, W] (or [C, H, W])");
        }
        return new Input(t, null, p, fileName(f));
    }

    /** The photo cut to --crop, or as it is. */
    java.awt.image.BufferedImage cropped(java.awt.image.BufferedImage photo) {
        if (crop == null) {
            return photo;
        }
        int w = photo.getWidth();
        int h = photo.getHeight();
        int side = Math.min(w, h);
        int[] box = switch (crop.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "left" -> new int[] {0, 0, side, side};
            case "right" -> new int[] {w - side, h - side, side, side};
            case "centre", "center" -> new int[] {(w - side) / 2, (h - side) / 2, side, side};
            default -> parseBox(crop);
        };
        if (box[0] < 0 || box[1] < 0 || box[2] <= 0 || box[3] <= 0 || box[0] + box[2] > w || box[1] + box[3] > h) {
            throw new UsageException("--crop " + crop + " does not fit inside the " + w + "x" + h + " photo");
        }
        return photo.getSubimage(box[0], box[1], box[2], box[3]);
    }

    private static int[] parseBox(String spec) {
        String[] parts = spec.split(",");
        if (parts.length != 4) {
            throw new UsageException("--crop takes X,Y,W,H in pixels or one of left, right, centre; got " + spec);
        }
        int[] box = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                box[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new UsageException("--crop takes whole pixel numbers X,Y,W,H; got " + spec);
            }
        }
        return box;
    }

    private static int[] prepend(int d, int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = d;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    static String fileName(Path p) {
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }

    static String stem(Path p) {
        return fileName(p).replaceFirst("\\.[^.]+$", "");
    }

    Path sourcePath() {
        return source.image != null ? source.image : source.tensor;
    }
}
