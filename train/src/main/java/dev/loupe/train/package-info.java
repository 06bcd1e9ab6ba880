/**
 * The spurious mark of the biased model ({@link dev.loupe.train.SpuriousMark}) and the training
 * runs behind the bundled {@code fashion-cnn} models ({@link dev.loupe.train.FashionTraining}),
 * which {@code loupe train} and {@code loupe evaluate} call. The data comes from
 * {@link dev.loupe.engine.io.FashionMnist}, read by {@link dev.loupe.engine.io.Idx}.
 */
package dev.loupe.train;
