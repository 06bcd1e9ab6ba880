#!/usr/bin/python3
"""scikit-learn's Barnes-Hut t-SNE on the points TsneBench wrote (--npy), with the same settings
(perplexity 30, 1000 iterations, angle 0.5, PCA init, learning rate 'auto'), for BENCHMARKS.md.

    java ... dev.loupe.bench.TsneBench --npy /tmp/fm50.npy
    OMP_NUM_THREADS=2 /usr/bin/python3 bench/tsne_sklearn.py /tmp/fm50.npy
"""
import os
import sys
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness
from sklearn.neighbors import KNeighborsClassifier
from sklearn.model_selection import cross_val_score

path = sys.argv[1]
x = np.load(path).astype(np.float32)
labels = np.load(path[:-4] + ".labels.npy")
threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
t0 = time.time()
tsne = TSNE(n_components=2, perplexity=30, n_iter=1000, angle=0.5, init="pca", learning_rate="auto",
            method="barnes_hut", random_state=0, n_jobs=threads)
y = tsne.fit_transform(x)
wall = time.time() - t0
print(f"scikit-learn t-SNE of {x.shape[0]} x {x.shape[1]}: {wall:.1f} s wall, {threads} threads (KL {tsne.kl_divergence_:.3f})")
print(f"trustworthiness(k=10): {trustworthiness(x, y, n_neighbors=10):.4f}")
# Leave-one-out 10-NN accuracy in 2-D (10-fold CV is close enough and cheaper to state).
acc = cross_val_score(KNeighborsClassifier(n_neighbors=10), y, labels, cv=10).mean()
print(f"2-D 10-NN accuracy (10-fold CV): {acc:.4f}")
