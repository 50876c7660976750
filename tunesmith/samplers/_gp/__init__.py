"""The Gaussian-process machinery behind :class:`~tunesmith.oracles.BayesianOptimizationOracle`.

Private: numpy/scipy only, no Keras. The pieces, each in its own module:

* ``_encoding`` turns configurations (dicts of values, conditions respected) into
  feature rows the kernel reads, and unit-cube points back into valid configurations.
* ``_kernel`` is the Matérn-5/2 kernel with one length scale per column, ordered
  columns by squared difference and categorical ones by Hamming distance.
* ``_targets`` orients, imputes and warps the scores the model is fitted on.
* ``_model`` fits the process (marginal likelihood with weak priors) and predicts.
* ``_acquisition`` scores candidates: log expected improvement and the confidence bound.
* ``_optimize`` finds the best untried configuration for an acquisition.
* ``_threads`` keeps BLAS on one thread while the model works (small matrices).
* ``_subset`` picks the results a model is fitted on once there are more than the
  sampler's ``max_model_points``.
"""
