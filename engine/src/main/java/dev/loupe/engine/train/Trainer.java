package dev.loupe.engine.train;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains a classifier graph with mini-batch gradient descent on the softmax cross-entropy of its
 * (single) output, read as logits {@code [N, classes]}.
 *
 * <p><b>The graph is updated in place:</b> its parameters are its constant tensors, and every step
 * overwrites their {@code float[]} data. Train a graph you own (for example a fresh
 * {@link ModelBuilder} graph), not one shared with running explanations. After training the graph
 * is an ordinary inference graph and can be written with the ONNX exporter.
 *
 * <p>Parameters are the constants a node reads at a differentiable input (weights and biases of
 * Conv and Gemm, scale and bias of BatchNormalization), not shapes or statistics.
 *
 * <p>Reproducible: with the same seed, graph, data and settings, the shuffles and hence the
 * trained weights are identical (the engine's kernels do not depend on timing or thread count).
 */
public final class Trainer {
    private final Graph graph;
    private final Optimizer optimizer;
    private final Map<String, Tensor> params;

    /** Trains every parameter {@link #parameters(Graph)} finds. */
    public Trainer(Graph graph, Optimizer optimizer) {
        this(graph, optimizer, name -> true);
    }

    /** Trains the parameters whose names {@code trainable} accepts (for example {@link ModelBuilder#isTrainable}). */
    public Trainer(Graph graph, Optimizer optimizer, java.util.function.Predicate<String> trainable) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("training needs a model with one input and one output (the logits); this one has "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        }
        this.graph = graph;
        this.optimizer = optimizer;
        this.params = new LinkedHashMap<>(parameters(graph));
        this.params.keySet().removeIf(trainable.negate());
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the model has no trainable parameters");
        }
    }

    /** The trainable constants of {@code graph}, by name, in first-use order (the tensors themselves, not copies). */
    public static Map<String, Tensor> parameters(Graph graph) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            for (int k = 0; k < n.inputs().size(); k++) {
                String in = n.inputs().get(k);
                Tensor c = graph.constants().get(in);
                if (c != null && n.op().isDifferentiable(k)) {
                    p.put(in, c);
                }
            }
        }
        return p;
    }

    public Map<String, Tensor> parameters() {
        return params;
    }

    public long parameterCount() {
        return params.values().stream().mapToLong(Tensor::size).sum();
    }

    /** The settings of a {@link #fit} run. */
    public record Schedule(int epochs, int batchSize, long seed, boolean cosineDecay) {
        public Schedule {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be at least 1, got " + epochs + " and " + batchSize);
            }
        }
    }

    /** One mini-batch step on the given images and labels; returns the batch's loss and gradient-free stats. */
    public SoftmaxCrossEntropy.Result step(Tensor images, int[] labels) {
        Trace t = Executor.forward(graph, images);
        String out = graph.outputs().get(0).name();
        SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(t.get(out), labels);
        Map<String, Tensor> grads = t.backward(Map.of(out, r.gradient()), params.keySet());
        optimizer.step(params, grads);
        return r;
    }

    /**
     * Trains for {@code schedule.epochs()} passes over {@code data}, shuffled each epoch by a
     * generator seeded with {@code schedule.seed()}; the last batch of an epoch may be smaller.
     * With cosine decay the learning rate falls from its initial value to 0 along a half cosine
     * over all steps. Reports after every step.
     *
     * @return the progress after the last step
     */
    public Progress fit(ImageSet data, Schedule schedule, Consumer<Progress> progress) {
        int n = data.size();
        int steps = (n + schedule.batchSize() - 1) / schedule.batchSize();
        long totalSteps = (long) steps * schedule.epochs();
        double lr0 = optimizer.learningRate();
        Random shuffler = new Random(schedule.seed());
        int[] order = new int[n];
        long start = System.nanoTime();
        Progress last = null;
        long done = 0;
        for (int epoch = 1; epoch <= schedule.epochs(); epoch++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = shuffler.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (int s = 0; s < steps; s++) {
                if (schedule.cosineDecay()) {
                    optimizer.setLearningRate(lr0 * 0.5 * (1 + Math.cos(Math.PI * done / totalSteps)));
                }
                int from = s * schedule.batchSize();
                int to = Math.min(n, from + schedule.batchSize());
                SoftmaxCrossEntropy.Result r = step(data.batch(order, from, to), data.batchLabels(order, from, to));
                done++;
                lossSum += r.loss() * (to - from);
                correct += r.correct();
                seen += to - from;
                last = new Progress(epoch, schedule.epochs(), s + 1, steps, lossSum / seen, (double) correct / seen,
                        optimizer.learningRate(), (System.nanoTime() - start) / 1_000_000);
                if (progress != null) {
                    progress.accept(last);
                }
            }
        }
        optimizer.setLearningRate(lr0);
        return last;
    }

    /**
     * @param accuracy the fraction of images whose largest logit is their label
     * @param loss the mean softmax cross-entropy
     * @param predictions the predicted class of every image, in order
     */
    public record Evaluation(double accuracy, double loss, int[] predictions) {
        /** {@code confusion[label][predicted]} counts. */
        public int[][] confusion(int[] labels, int classes) {
            int[][] m = new int[classes][classes];
            for (int i = 0; i < labels.length; i++) {
                m[labels[i]][predictions[i]]++;
            }
            return m;
        }
    }

    /** Accuracy and loss of {@code graph} on {@code data}, in batches of {@code batchSize}. */
    public static Evaluation evaluate(Graph graph, ImageSet data, int batchSize) {
        String out = graph.outputs().get(0).name();
        double loss = 0;
        long correct = 0;
        int[] predictions = new int[data.size()];
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            Tensor logits = Executor.forward(graph, data.range(from, to)).get(out);
            int[] labels = new int[to - from];
            System.arraycopy(data.labels(), from, labels, 0, labels.length);
            SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(logits, labels);
            loss += r.loss() * labels.length;
            correct += r.correct();
            int c = logits.dim(1);
            for (int b = 0; b < labels.length; b++) {
                int arg = 0;
                for (int j = 1; j < c; j++) {
                    if (logits.data()[b * c + j] > logits.data()[b * c + arg]) {
                        arg = j;
                    }
                }
                predictions[from + b] = arg;
            }
        }
        int n = Math.max(1, data.size());
        return new Evaluation((double) correct / n, loss / n, predictions);
    }

    /** The names of the parameters, for messages and tests. */
    public List<String> parameterNames() {
        return new ArrayList<>(params.keySet());
    }
}
