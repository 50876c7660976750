import math

import pytest

from tunesmith import Objective
from tunesmith.errors import ObjectiveError
from tunesmith.objective import create_objective, infer_direction


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("val_accuracy", "max"),
        ("accuracy", "max"),
        ("auc", "max"),
        ("val_precision", "max"),
        ("loss", "min"),
        ("val_loss", "min"),
        ("mae", "min"),
        ("val_mse", "min"),
    ],
)
def test_direction_is_inferred_from_common_names(name, direction):
    assert infer_direction(name) == direction
    assert create_objective(name) == Objective(name, direction)


def test_unknown_metric_asks_for_an_explicit_objective():
    with pytest.raises(ObjectiveError, match=r"Objective\('my_score', direction="):
        create_objective("my_score")


def test_default_objective_is_val_loss():
    assert create_objective(None) == Objective("val_loss", "min")


def test_bad_direction_is_rejected():
    with pytest.raises(ObjectiveError, match="direction must be 'min' or 'max'"):
        Objective("x", "up")


def test_missing_metric_lists_what_was_logged():
    objective = Objective("val_accuracy", "max")
    with pytest.raises(ObjectiveError, match="accuracy, loss") as info:
        objective.value_from({"loss": 0.3, "accuracy": 0.9})
    assert "validation_data" in str(info.value)


def test_ranking_puts_non_finite_scores_last():
    maximise = Objective("acc", "max")
    assert maximise.better(0.9, 0.8)
    keys = sorted([0.5, math.nan, 0.9, None, math.inf], key=maximise.sort_key)
    assert keys[:2] == [0.9, 0.5]
    assert Objective("loss", "minimize").direction == "min"


def test_config_round_trip():
    objective = Objective("val_auc", "max")
    assert Objective.from_config(objective.get_config()) == objective
    assert repr(objective) == "Objective(name='val_auc', direction='max')"
