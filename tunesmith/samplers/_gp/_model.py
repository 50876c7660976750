"""A Gaussian process regressor on numpy/scipy: fit by marginal likelihood, predict.

Kernel: ``signal * matern52(r)`` with ``r**2 = sum_j terms_j / length_j**2`` (see
``_kernel``), plus learned observation noise on the diagonal. Targets are
standardised inside (constant targets included). Hyperparameters are fitted by
maximising the log marginal likelihood plus weak log-normal priors, with analytic
gradients and L-BFGS-B from a few starts (the prior's centre, a warm start from the
previous fit, and random draws from the prior while the data are few).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

from tunesmith.samplers._gp._kernel import column_terms, matern52, scaled_sq_distance

_LOG_2PI = math.log(2.0 * math.pi)
# Bounds on the log hyperparameters (inputs are unit positions, targets standardised).
_LOG_LENGTH_BOUNDS = (math.log(1e-2), math.log(1e2))
_LOG_SIGNAL_BOUNDS = (math.log(1e-2), math.log(1e2))
_MAX_NOISE = 2.0
# Weak priors (mean, sd) on the log hyperparameters. Length scales: centred on a
# value that grows like sqrt(columns) (distances between points grow so), so a
# model in many dimensions starts smooth and only shortens a length scale where
# the data ask for it; in few dimensions it starts short enough to see a narrow
# basin next to the best point (longer centres made the search settle on the
# edge of one on Branin).
# Noise: centred on 1e-3 of the standardised variance with a sd of 1.5, so noise
# above a few percent needs strong evidence. Scores of training runs are nearly
# deterministic; with the earlier prior (1e-2, sd 2) the model explained a rugged
# landscape's narrow minima (mlp_wine) as noise and settled on the plateau.
_LOG_SIGNAL_PRIOR = (0.0, 1.0)
_LOG_NOISE_PRIOR = (math.log(1e-3), 1.5)
_LOG_LENGTH_SD = 1.0
# Diagonal jitter, relative to the signal variance, tried in turn when a
# Cholesky factorisation fails (duplicate rows, tiny noise).
_JITTERS = (0.0, 1e-8, 1e-6, 1e-4, 1e-2)


def length_prior_mean(columns: int) -> float:
    """The prior median of every log length scale for ``columns`` input columns."""
    return math.log(0.25 * math.sqrt(max(columns, 1)))


@dataclass(frozen=True)
class GPParams:
    """Fitted hyperparameters: log length scale per column, log signal variance and
    log noise variance (of the standardised targets)."""

    log_lengths: np.ndarray
    log_signal: float
    log_noise: float

    def vector(self) -> np.ndarray:
        return np.concatenate([self.log_lengths, [self.log_signal, self.log_noise]])

    @classmethod
    def from_vector(cls, theta: np.ndarray) -> GPParams:
        return cls(np.array(theta[:-2], dtype=float), float(theta[-2]), float(theta[-1]))

    @property
    def lengths(self) -> np.ndarray:
        lengths: np.ndarray = np.exp(self.log_lengths)  # numpy's stubs leave it untyped
        return lengths

    @property
    def noise(self) -> float:
        return math.exp(self.log_noise)


class GaussianProcess:
    """Gaussian-process regression with a Matérn-5/2 ARD kernel and learned noise.

    Args:
        categorical: Per input column, whether it holds category codes (compared
            only for equality) rather than positions in [0, 1].
        min_noise: The smallest noise variance, relative to the standardised targets.

    Example:
        >>> x = np.linspace(0, 1, 8)[:, None]
        >>> gp = GaussianProcess(np.array([False])).fit(x, np.sin(6 * x[:, 0]))
        >>> mean, std = gp.predict(np.array([[0.5]]))
        >>> bool(abs(mean[0] - np.sin(3.0)) < 0.05 and std[0] < 0.1)
        True
    """

    def __init__(self, categorical: np.ndarray, min_noise: float = 1e-6) -> None:
        self.categorical = np.asarray(categorical, dtype=bool)
        self.min_noise = float(max(min_noise, 1e-9))
        self.params: GPParams | None = None

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        warm_start: GPParams | None = None,
        rng: np.random.Generator | None = None,
        random_starts: int | None = None,
        maxiter: int = 200,
    ) -> GaussianProcess:
        """Fit the hyperparameters to ``(x, y)`` and condition on the data.

        ``random_starts`` (default: 2 while there are at most 60 rows, else 0) extra
        starts are drawn from the prior with ``rng``.
        """
        x = np.asarray(x, dtype=float)
        target = self._standardise(y)
        terms = column_terms(x, x, self.categorical)
        columns = x.shape[1]
        prior_mean = self._prior_vector(columns)
        prior_sd = np.array(
            [_LOG_LENGTH_SD] * columns + [_LOG_SIGNAL_PRIOR[1], _LOG_NOISE_PRIOR[1]]
        )
        bounds = (
            [_LOG_LENGTH_BOUNDS] * columns
            + [_LOG_SIGNAL_BOUNDS]
            + [(math.log(self.min_noise), math.log(_MAX_NOISE))]
        )
        lower = np.array([b[0] for b in bounds])
        upper = np.array([b[1] for b in bounds])

        starts = [np.clip(prior_mean, lower, upper)]
        if warm_start is not None and warm_start.log_lengths.size == columns:
            starts.insert(0, np.clip(warm_start.vector(), lower, upper))
        if random_starts is None:
            random_starts = 2 if len(y) <= 60 else 0
        rng = rng if rng is not None else np.random.default_rng(0)
        for _ in range(random_starts):
            starts.append(
                np.clip(prior_mean + prior_sd * rng.standard_normal(prior_mean.size), lower, upper)
            )

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = _neg_log_posterior(theta, terms, target, prior_mean, prior_sd)
            return value, grad

        best_theta, best_value = starts[0], math.inf
        for start in starts:
            result = scipy.optimize.minimize(
                objective,
                start,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": maxiter},
            )
            value = float(result.fun)
            if math.isfinite(value) and value < best_value:
                best_theta, best_value = result.x, value
        self.params = GPParams.from_vector(best_theta)
        self._set_data(x, target)
        return self

    def condition(self, x: np.ndarray, y: np.ndarray, params: GPParams) -> GaussianProcess:
        """Condition on ``(x, y)`` with ``params`` as given, without fitting them.

        Costs one factorisation instead of an optimisation's dozens: for asks that
        come faster than the data change the hyperparameters' fit.

        Example:
            >>> x = np.linspace(0, 1, 8)[:, None]
            >>> fitted = GaussianProcess(np.array([False])).fit(x, np.sin(6 * x[:, 0]))
            >>> again = GaussianProcess(np.array([False])).condition(
            ...     x, np.sin(6 * x[:, 0]), fitted.params)
            >>> bool(np.allclose(fitted.predict(x)[0], again.predict(x)[0]))
            True
        """
        if params.log_lengths.size != np.shape(x)[1]:
            raise ValueError(
                f"params hold {params.log_lengths.size} length scales for {np.shape(x)[1]} columns."
            )
        self.params = params
        self._set_data(np.asarray(x, dtype=float), self._standardise(y))
        return self

    def _standardise(self, y: np.ndarray) -> np.ndarray:
        """``y`` centred and scaled (remembered, so predictions come back in y's units)."""
        y = np.asarray(y, dtype=float)
        self._y_mean = float(np.mean(y))
        std = float(np.std(y))
        self._y_scale = std if std > 0 else 1.0
        return (y - self._y_mean) / self._y_scale

    @staticmethod
    def _prior_vector(columns: int) -> np.ndarray:
        return np.array(
            [length_prior_mean(columns)] * columns + [_LOG_SIGNAL_PRIOR[0], _LOG_NOISE_PRIOR[0]]
        )

    def _set_data(self, x: np.ndarray, target: np.ndarray) -> None:
        """Condition on standardised ``target`` at ``x`` with the current params."""
        assert self.params is not None
        self._x = x
        self._target = target
        signal = math.exp(self.params.log_signal)
        r2 = scaled_sq_distance(x, x, self.categorical, np.exp(-2 * self.params.log_lengths))
        gram = signal * matern52(r2)[0]
        self._chol = _cholesky(gram, self.params.noise, signal)
        self._alpha = scipy.linalg.cho_solve(self._chol, target)

    def condition_on(self, x_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        """A copy that also holds ``(x_new, y_new)`` as data, with the same
        hyperparameters and target scaling (for fantasies of pending trials)."""
        other = GaussianProcess(self.categorical, self.min_noise)
        other.params = self.params
        other._y_mean, other._y_scale = self._y_mean, self._y_scale
        target_new = (np.asarray(y_new, dtype=float) - self._y_mean) / self._y_scale
        other._set_data(np.vstack([self._x, x_new]), np.concatenate([self._target, target_new]))
        return other

    # --------------------------------------------------------------- predict
    def predict(
        self, x: np.ndarray, grad_columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, ...]:
        """Mean and standard deviation of the latent function at the rows of ``x``.

        With ``grad_columns`` (indices of ordered columns), also their derivatives
        with respect to those columns, each of shape ``(rows, len(grad_columns))``:
        ``mean, std, d_mean, d_std``.
        """
        assert self.params is not None, "fit() first"
        x = np.asarray(x, dtype=float)
        signal = math.exp(self.params.log_signal)
        inv_sq = np.exp(-2 * self.params.log_lengths)
        r2 = scaled_sq_distance(x, self._x, self.categorical, inv_sq)
        corr, d_corr = matern52(r2)
        cross = signal * corr  # (rows, n)
        mean_std = cross @ self._alpha
        # var = signal - |L^-1 k*|^2: one triangular solve, not a full cho_solve.
        half = scipy.linalg.solve_triangular(self._chol[0], cross.T, lower=True, check_finite=False)
        var = np.maximum(signal - np.einsum("nb,nb->b", half, half), 1e-12 * signal)
        sd = np.sqrt(var)
        mean = mean_std * self._y_scale + self._y_mean
        if grad_columns is None:
            return mean, sd * self._y_scale
        solved = scipy.linalg.solve_triangular(
            self._chol[0], half, lower=True, trans="T", check_finite=False
        )  # K^-1 k*, (n, rows)
        columns = np.asarray(grad_columns, dtype=int)
        d_mean = np.empty((x.shape[0], columns.size))
        d_sd = np.empty_like(d_mean)
        for c, j in enumerate(columns):
            # d k(x, x_i) / d x_j = signal * dM/dr2 * 2 (x_j - x_ij) / length_j**2
            d_cross = signal * d_corr * (2.0 * inv_sq[j]) * (x[:, j, None] - self._x[None, :, j])
            d_mean[:, c] = d_cross @ self._alpha
            d_var = -2.0 * np.einsum("bn,nb->b", d_cross, solved)
            d_sd[:, c] = d_var / (2.0 * sd)
        return mean, sd * self._y_scale, d_mean * self._y_scale, d_sd * self._y_scale

    def nearest_distance(self, x: np.ndarray) -> np.ndarray:
        """Per row of ``x``, the distance (in length scales) to the nearest data row."""
        assert self.params is not None, "fit() first"
        inv_sq = np.exp(-2 * self.params.log_lengths)
        r2 = scaled_sq_distance(np.asarray(x, dtype=float), self._x, self.categorical, inv_sq)
        nearest: np.ndarray = np.sqrt(np.maximum(r2.min(axis=1), 0.0))  # numpy's stubs: untyped
        return nearest


def _cholesky(gram: np.ndarray, noise: float, signal: float) -> tuple[np.ndarray, bool]:
    """``cho_factor(gram + noise * I)``, adding jitter until it succeeds."""
    n = gram.shape[0]
    for jitter in _JITTERS:
        try:
            factor: tuple[np.ndarray, bool] = scipy.linalg.cho_factor(
                gram + (noise + jitter * signal) * np.eye(n), lower=True, check_finite=False
            )
            return factor
        except scipy.linalg.LinAlgError:
            continue
    raise scipy.linalg.LinAlgError("The kernel matrix is not positive definite, even with jitter.")


def _neg_log_posterior(
    theta: np.ndarray,
    terms: np.ndarray,
    target: np.ndarray,
    prior_mean: np.ndarray,
    prior_sd: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood plus negative log prior, and its gradient.

    With ``W = alpha alpha^T - K^-1``, the gradient of the likelihood term for a
    hyperparameter ``t`` is ``-0.5 * sum(W * dK/dt)``.
    """
    n = target.size
    log_lengths, log_signal, log_noise = theta[:-2], theta[-2], theta[-1]
    inv_sq = np.exp(-2.0 * log_lengths)
    signal, noise = math.exp(log_signal), math.exp(log_noise)
    r2 = terms @ inv_sq
    corr, d_corr = matern52(r2)
    gram = signal * corr
    try:
        chol = _cholesky(gram, noise, signal)
    except scipy.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = scipy.linalg.cho_solve(chol, target, check_finite=False)
    value = 0.5 * target @ alpha + np.log(np.diag(chol[0])).sum() + 0.5 * n * _LOG_2PI
    k_inv = scipy.linalg.cho_solve(chol, np.eye(n), check_finite=False)
    w = np.outer(alpha, alpha) - k_inv
    grad = np.empty_like(theta)
    # dK/dlog(length_j) = signal * dM/dr2 * (-2 terms_j / length_j**2)
    grad[:-2] = np.tensordot(w * (signal * d_corr), terms, axes=([0, 1], [0, 1])) * inv_sq
    grad[-2] = -0.5 * np.sum(w * gram)
    grad[-1] = -0.5 * np.trace(w) * noise
    z = (theta - prior_mean) / prior_sd
    value += 0.5 * float(z @ z)
    grad += z / prior_sd
    return float(value), grad
