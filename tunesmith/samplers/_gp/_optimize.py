"""Finding the untried configuration with the highest acquisition value.

* A small finite space (at most ``EXHAUSTIVE_LIMIT`` configurations) is scored
  whole: every untried configuration, so the answer is exact.
* Otherwise candidates come from a scrambled Sobol sweep of the unit cube plus
  perturbations of the best configurations so far (the optimum of the acquisition
  is usually near them). The best few start a local search that alternates
  L-BFGS-B on the continuous coordinates (``Float`` without step, and ordered
  values too many to try one by one, snapped afterwards) with moves to
  neighbouring values of the discrete ones (every other category; the two
  nearest steps each way of an ordered value), while either improves.

Every candidate is decoded into a valid configuration (inactive definitions
dropped, values snapped) and scored as such; configurations in ``excluded``
(tried or pending) are never returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

from tunesmith.samplers._gp._acquisition import AcquisitionFn
from tunesmith.samplers._gp._encoding import SpaceEncoder
from tunesmith.space import ConfigKey, config_key, iterate_grid

EXHAUSTIVE_LIMIT = 1024
_SOBOL_POINTS = 512
_POINTS_PER_ANCHOR = 64
_ANCHORS = 5
_STARTS = 5
_ROUNDS = 3
_LBFGS_ITERATIONS = 50
_PERTURBATION = 0.1
_ORDINAL_REACH = 2


@dataclass
class _Candidate:
    u: np.ndarray
    values: dict[str, Any]
    key: ConfigKey
    features: np.ndarray
    score: float


def propose(
    encoder: SpaceEncoder,
    acquisition: AcquisitionFn,
    rng: np.random.Generator,
    excluded: AbstractSet[ConfigKey],
    anchors: Sequence[Mapping[str, Any]] = (),
    count: int | None = None,
    refine: float | None = None,
) -> dict[str, Any] | None:
    """The untried configuration with the highest ``acquisition``, or None when none
    was found (every candidate was already tried).

    ``anchors`` are good configurations to search around, best first; ``count`` is
    the number of configurations of the space (None when infinite).
    """
    if count is not None and count <= EXHAUSTIVE_LIMIT:
        return _exhaustive(encoder, acquisition, excluded)
    return _Search(encoder, acquisition, rng, excluded).run(anchors, refine)


def _exhaustive(
    encoder: SpaceEncoder, acquisition: AcquisitionFn, excluded: AbstractSet[ConfigKey]
) -> dict[str, Any] | None:
    untried = [v for v in iterate_grid(encoder.space) if config_key(v) not in excluded]
    if not untried:
        return None
    scores = acquisition(encoder.encode(untried))
    return untried[int(np.argmax(scores))]


class _Search:
    def __init__(
        self,
        encoder: SpaceEncoder,
        acquisition: AcquisitionFn,
        rng: np.random.Generator,
        excluded: AbstractSet[ConfigKey],
    ) -> None:
        self.encoder = encoder
        self.acquisition = acquisition
        self.rng = rng
        self.excluded = excluded
        self.cache: dict[ConfigKey, _Candidate] = {}
        self.best: _Candidate | None = None
        self.relaxed = [d for d in encoder.dimensions if d.relaxed]
        self.discrete = [d for d in encoder.dimensions if d.discrete]
        # The unit position of every value of each discrete dimension, in order.
        self.positions = {
            d.index: np.array([d.hp.to_unit(v) for v in d.hp.grid_values()]) for d in self.discrete
        }

    def run(
        self, anchors: Sequence[Mapping[str, Any]], refine: float | None = None
    ) -> dict[str, Any] | None:
        points = self._sobol()
        if anchors:
            points = np.vstack([points, self._around(anchors[:_ANCHORS])])
        if anchors and refine is not None:
            points = np.vstack([points, self._around(anchors[:1], refine, every=True)])
        distinct = {id(c): c for c in self._evaluate(points) if c is not None}
        starts = sorted(distinct.values(), key=lambda c: -c.score)[:_STARTS]
        self._local_search(starts)
        return None if self.best is None else self.best.values

    # ------------------------------------------------------------ candidates
    def _sobol(self) -> np.ndarray:
        dims = max(len(self.encoder.space), 1)
        sobol = scipy.stats.qmc.Sobol(dims, scramble=True, seed=self.rng)
        points: np.ndarray = sobol.random(_SOBOL_POINTS)[:, : len(self.encoder.space)]
        return points

    def _around(
        self,
        anchors: Sequence[Mapping[str, Any]],
        step: float = _PERTURBATION,
        every: bool = False,
    ) -> np.ndarray:
        """Perturbations of each anchor: a few coordinates moved (ordered ones by a
        normal step of ``step``, categorical ones to a uniform draw); with ``every``,
        all the ordered ones and no categorical one."""
        size = len(self.encoder.space)
        rate = 1.0 if every else min(1.0, max(0.2, 2.0 / max(size, 1)))
        categorical = np.zeros(size, dtype=bool)
        for d in self.encoder.dimensions:
            categorical[d.index] = d.categorical
        out = []
        for values in anchors:
            base = self.encoder.unit_point(values, fill=self.rng.random(size))
            moved = self.rng.random((_POINTS_PER_ANCHOR, size)) < rate
            steps = base + step * self.rng.standard_normal((_POINTS_PER_ANCHOR, size))
            fresh = base if every else self.rng.random((_POINTS_PER_ANCHOR, size))
            new = np.where(categorical, fresh, np.clip(steps, 0.0, 1.0))
            out.append(np.where(moved, new, base))
        return np.vstack(out) if out else np.empty((0, size))

    def _evaluate(self, points: np.ndarray) -> list[_Candidate | None]:
        """The configuration at each of ``points``, scored (None where it is excluded).
        Each distinct configuration is scored once and shared."""
        configurations, rows = self.encoder.decode_many(points)
        out: list[_Candidate | None] = []
        fresh: dict[ConfigKey, int] = {}
        keys = []
        for i, values in enumerate(configurations):
            key = config_key(values)
            keys.append(key)
            if key not in self.excluded and key not in self.cache and key not in fresh:
                fresh[key] = i
        if fresh:
            chosen = list(fresh.values())
            scores = self.acquisition(rows[chosen])
            for (key, i), score in zip(fresh.items(), scores, strict=True):
                candidate = _Candidate(
                    points[i].copy(), configurations[i], key, rows[i], float(score)
                )
                self.cache[key] = candidate
                if self.best is None or candidate.score > self.best.score:
                    self.best = candidate
        for key in keys:
            out.append(None if key in self.excluded else self.cache[key])
        return out

    # ---------------------------------------------------------- local search
    def _local_search(self, starts: list[_Candidate]) -> None:
        """Improve every start at once: a gradient round on the continuous
        coordinates, then a round of discrete moves, while any start improves."""
        current = list(starts)
        for _ in range(_ROUNDS):
            before = [c.score for c in current]
            if self.relaxed:
                current = self._keep_better(current, self._gradient_steps(current))
            if self.discrete:
                current = self._keep_better(current, self._best_neighbours(current))
            if all(c.score <= b for c, b in zip(current, before, strict=True)):
                return

    @staticmethod
    def _keep_better(current: list[_Candidate], moved: list[_Candidate | None]) -> list[_Candidate]:
        return [
            m if m is not None and m.score > c.score else c
            for c, m in zip(current, moved, strict=True)
        ]

    def _gradient_steps(self, starts: list[_Candidate]) -> list[_Candidate | None]:
        """L-BFGS-B on the active continuous (and relaxed ordinal) coordinates of all
        starts together (their acquisition values summed: each start's gradient
        touches only its own coordinates), then snapped to valid configurations."""
        rows, columns, indices = [], [], []
        for r, start in enumerate(starts):
            flags = self.encoder.active_flags(start.values)
            for d in self.relaxed:
                if flags[d.index]:
                    rows.append(r)
                    columns.append(d.column)
                    indices.append(d.index)
        if not rows:
            return [None] * len(starts)
        rows_a, columns_a, indices_a = np.array(rows), np.array(columns), np.array(indices)
        base = np.array([s.features for s in starts])
        grad_columns = np.unique(columns_a)
        position = {c: i for i, c in enumerate(grad_columns)}
        grad_at = np.array([position[c] for c in columns])

        def negative(z: np.ndarray) -> tuple[float, np.ndarray]:
            features = base.copy()
            features[rows_a, columns_a] = z
            value, grad = self.acquisition(features, grad_columns)
            return -float(value.sum()), -grad[rows_a, grad_at]

        x0 = np.array([starts[r].u[i] for r, i in zip(rows, indices, strict=True)])
        result = scipy.optimize.minimize(
            negative,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * x0.size,
            options={"maxiter": _LBFGS_ITERATIONS},
        )
        points = np.array([s.u for s in starts])
        points[rows_a, indices_a] = result.x
        return self._evaluate(points)

    def _best_neighbours(self, starts: list[_Candidate]) -> list[_Candidate | None]:
        """For each start, its best configuration one discrete move away."""
        points, owners = [], []
        for r, start in enumerate(starts):
            flags = self.encoder.active_flags(start.values)
            for d in self.discrete:
                if not flags[d.index]:
                    continue
                positions = self.positions[d.index]
                here = int(np.argmin(np.abs(positions - d.hp.to_unit(start.values[d.hp.name]))))
                if d.categorical:
                    targets = [j for j in range(positions.size) if j != here]
                else:
                    reach = range(here - _ORDINAL_REACH, here + _ORDINAL_REACH + 1)
                    targets = [j for j in reach if j != here and 0 <= j < positions.size]
                for j in targets:
                    u = start.u.copy()
                    u[d.index] = positions[j]
                    points.append(u)
                    owners.append(r)
        best: list[_Candidate | None] = [None] * len(starts)
        if not points:
            return best
        for r, candidate in zip(owners, self._evaluate(np.array(points)), strict=True):
            current = best[r]
            if candidate is not None and (current is None or candidate.score > current.score):
                best[r] = candidate
        return best
