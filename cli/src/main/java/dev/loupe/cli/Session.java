package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Target;
import dev.loupe.render.Labels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** Small helpers the commands share: reading targets, printing numbers, naming outputs. */
final class Session {
    private Session() {
    }

    /** The number of classes a graph outputs, from its declared output shape or a logits tensor. */
    static int classes(Tensor logits) {
        return logits.rank() >= 2 ? logits.dim(1) : logits.size();
    }

    /** A class given as an index or a label name. */
    static int classIndex(String spec, Labels labels, int classes, String flag) {
        String s = spec.strip();
        int k;
        if (s.matches("-?\\d+")) {
            try {
                k = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " " + s + " is not a class index");
            }
        } else {
            try {
                k = labels.find(s);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage() + (flag.equals("--target") ? "" : " (" + flag + ")"), e);
            }
        }
        if (k < 0 || k >= classes) {
            throw new UsageException(flag + " " + k + " is out of range: the model has " + classes + " classes (0.."
                    + (classes - 1) + ")");
        }
        return k;
    }

    /** The explain target from --target and --contrast. */
    static Target target(String target, String contrast, Labels labels, int classes) {
        if (target == null) {
            if (contrast != null) {
                throw new UsageException("--contrast needs --target: say which class to contrast with " + contrast);
            }
            return Target.predicted();
        }
        int k = classIndex(target, labels, classes, "--target");
        if (contrast == null) {
            return Target.of(k);
        }
        return Target.contrast(k, classIndex(contrast, labels, classes, "--contrast"));
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static Path parentOrHere(Path p) {
        Path parent = p.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    /** The first input's name, for messages. */
    static String inputName(Graph g) {
        return g.inputs().isEmpty() ? "input" : g.inputs().get(0).name();
    }

    static void note(PrintWriter out, String what, Path file) throws IOException {
        out.println("wrote " + what + " " + file);
    }
}
