/**
 * Fashion-MNIST ({@link dev.loupe.train.FashionMnist}, read by the minimal {@link dev.loupe.train.Idx}
 * reader), the spurious mark of the biased model ({@link dev.loupe.train.SpuriousMark}) and the
 * training runs behind the bundled {@code fashion-cnn} models ({@link dev.loupe.train.FashionTraining}),
 * which {@code loupe train} and {@code loupe evaluate} call.
 */
package dev.loupe.train;
