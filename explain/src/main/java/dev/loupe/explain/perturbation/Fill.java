package dev.loupe.explain.perturbation;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Normalization;

/**
 * What an occluded window is filled with, producing a full-size [1, C, H, W] replacement image
 * from which the window's pixels are taken.
 */
public sealed interface Fill {
    Tensor replacement(Tensor image);

    /** Zeros in model space (Captum's default baseline; black only if the input is unnormalised). */
    record Zero() implements Fill {
        @Override
        public Tensor replacement(Tensor image) {
            return Tensor.zeros(image.shape());
        }
    }

    /** A constant in model space. */
    record Constant(float value) implements Fill {
        @Override
        public Tensor replacement(Tensor image) {
            Tensor t = Tensor.zeros(image.shape());
            java.util.Arrays.fill(t.data(), value);
            return t;
        }
    }

    /** Mid-gray (raw pixel 0.5) mapped through the preprocessing, so it is gray after normalisation. */
    record Gray(Normalization normalization) implements Fill {
        @Override
        public Tensor replacement(Tensor image) {
            return perChannel(image, c -> normalization.normalize(0.5f, c));
        }
    }

    /** Each channel's mean over this image (the lecture's "average pixel value" patch). */
    record Mean() implements Fill {
        @Override
        public Tensor replacement(Tensor image) {
            float[] m = Images.channelMeans(image);
            return perChannel(image, c -> m[c]);
        }
    }

    /** The image blurred with a Gaussian of {@code sigma} pixels: removes detail but keeps colour. */
    record Blur(double sigma) implements Fill {
        @Override
        public Tensor replacement(Tensor image) {
            return Images.gaussianBlur(image, sigma);
        }
    }

    private static Tensor perChannel(Tensor image, java.util.function.IntFunction<Float> value) {
        int c = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        Tensor t = Tensor.zeros(image.shape());
        for (int k = 0; k < c; k++) {
            java.util.Arrays.fill(t.data(), k * hw, (k + 1) * hw, value.apply(k));
        }
        return t;
    }

    /**
     * Parses {@code zero | gray | mean | blur | <number>}. {@code gray} needs the normalisation,
     * {@code blur} uses {@code blurSigma}.
     */
    public static Fill parse(String s, Normalization normalization, double blurSigma) {
        switch (s) {
            case "zero":
                return new Zero();
            case "gray":
            case "grey":
                if (normalization == null) {
                    throw new IllegalArgumentException("fill=gray needs the model's preprocessing: pass the options mean=… and std=… "
                            + "(per-channel, comma-separated; mean=0 std=1 for unnormalised [0,1] inputs)");
                }
                return new Gray(normalization);
            case "mean":
                return new Mean();
            case "blur":
                return new Blur(blurSigma);
            default:
                try {
                    return new Constant(Float.parseFloat(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown fill '" + s + "'; valid: zero, gray, mean, blur or a number");
                }
        }
    }
}
