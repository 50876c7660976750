"""Counting configurations when a keras-tuner-style hyperparameter is a parent."""

from __future__ import annotations

from tunesmith.space import HyperParameter, HyperParameters, count_configurations, iterate_grid


class Odd(HyperParameter):
    """Defines only ``values``, ``prob_to_value`` and ``value_to_prob``, as keras-tuner."""

    values = (1, 3, 5, 7, 9)

    def prob_to_value(self, prob: float) -> int:
        return self.values[min(int(prob * 5), 4)]

    def value_to_prob(self, value: object) -> float:
        return (self.values.index(value) + 0.5) / 5


def test_a_custom_parent_is_counted_like_the_grid_enumerates_it() -> None:
    hp = HyperParameters()
    hp.merge([Odd("kernel", default=3)])
    with hp.conditional_scope("kernel", [3, 5]):
        hp.Int("units", 1, 3)
    assert count_configurations(hp) == len(list(iterate_grid(hp))) == 9
