package dev.loupe.engine.train;

import java.util.Locale;

/**
 * Where training stands after a step: the running mean loss and accuracy over the epoch so far.
 *
 * @param epoch the current epoch, from 1
 * @param epochs the number of epochs
 * @param step steps done in this epoch, from 1
 * @param steps steps per epoch
 * @param loss mean training loss over this epoch's steps so far
 * @param accuracy training accuracy over this epoch's images so far
 * @param learningRate the step size used for this step
 * @param elapsedMillis time since training started
 */
public record Progress(int epoch, int epochs, int step, int steps, double loss, double accuracy, double learningRate,
        long elapsedMillis) {

    public boolean endOfEpoch() {
        return step == steps;
    }

    /** A one-line progress bar, e.g. {@code epoch 1/3 [=========>          ] 234/469 loss 0.4123 acc 0.8512 41s}. */
    public String bar(int width) {
        int filled = steps == 0 ? width : (int) ((long) width * step / steps);
        StringBuilder b = new StringBuilder(width + 2).append('[');
        for (int i = 0; i < width; i++) {
            b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        b.append(']');
        return String.format(Locale.ROOT, "epoch %d/%d %s %d/%d loss %.4f acc %.4f %ds", epoch, epochs, b, step, steps, loss,
                accuracy, elapsedMillis / 1000);
    }
}
