"""W2 — dense networks on CIFAR-10 tuned by Bayesian optimisation and random search,
and the step the document announces: tuning the training setup, and a CNN.

    python examples/cifar10_dense.py                                  # baseline, both tuners
    python examples/cifar10_dense.py --study depth_width --tuner bayesian --max-trials 25
    python examples/cifar10_dense.py --study all --data digits        # offline stand-in
    python examples/cifar10_dense.py --cifar-path ~/Downloads/cifar-10-python.tar.gz

Studies: baseline (three Dense layers, units and activation each), depth_width
(2-4 layers of 64-512 units), depth (2-20 layers of 128), training (architecture plus
optimizer, learning rate, schedule and batch size), cnn (a convolutional model).
With ``--data auto`` (the default) CIFAR-10 is used when Keras' cache or
``--cifar-path`` holds it, otherwise scikit-learn's digits, saying so.

The hypermodels, data loaders and evaluation live in ``tunesmith/studies/`` so that
``tunesmith demo cifar10`` runs the same study.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from tunesmith.studies.cifar10 import main

if __name__ == "__main__":
    main()
