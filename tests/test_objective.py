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


# ------------------------------------------------------------ keras-tuner's methods
def test_keras_tuner_method_names_agree_with_ours():
    maximise = Objective(name="accuracy", direction="max")
    assert maximise.better_than(1, 0) and not maximise.better_than(0, 1)
    assert not maximise.better_than(0, 0)
    assert maximise.has_value({"accuracy": 0.5}) and not maximise.has_value({"loss": 0.5})
    assert maximise.get_value({"accuracy": 0.5, "loss": 2.0}) == 0.5
    with pytest.raises(ValueError, match="not among the logged metrics"):
        maximise.get_value({"loss": 2.0})


def test_str_is_keras_tuners_and_repr_is_pythons():
    objective = Objective("accuracy", "min")
    assert str(objective) == 'Objective(name="accuracy", direction="min")'
    assert eval(repr(objective)) == objective


def test_equality_needs_name_and_direction():
    assert Objective("acc", "max") == Objective("acc", "maximize")
    assert Objective("acc", "max") != Objective("acc", "min")
    assert Objective("acc", "max") != Objective("acc2", "max")
    assert Objective("acc", "max") != "acc"
    assert len({Objective("acc", "max"), Objective("acc", "max")}) == 1


def test_names_are_matched_without_prefixes_case_or_underscores():
    assert infer_direction("MAE") == "min"
    assert infer_direction("val_weighted_ce") == "min"
    assert infer_direction("weighted_binary_accuracy") == "max"
    assert infer_direction("CategoricalAccuracy") == "max"
    assert infer_direction("val_mean_io_u") == "max"
    assert infer_direction("my_metric") is None


def test_default_objective_is_keras_tuners():
    from tunesmith.engine.objective import DefaultObjective
    from tunesmith.engine.objective import create_objective as kt_create_objective

    assert kt_create_objective(None) == DefaultObjective()
    assert DefaultObjective() == Objective("default_objective", "min")
    assert kt_create_objective("loss") == Objective("loss", "min")


def test_non_string_objective_is_a_type_error():
    with pytest.raises(TypeError, match="not understood, expected str"):
        create_objective(3)
    with pytest.raises(TypeError, match="got 3"):
        create_objective([3, "accuracy"])


# ------------------------------------------------------------------- several at once
def test_list_becomes_a_multi_objective_with_inferred_directions():
    from tunesmith.objective import MultiObjective

    multi = create_objective(["accuracy", Objective("score", "min")])
    assert isinstance(multi, MultiObjective)
    assert [(o.name, o.direction) for o in multi.objectives] == [
        ("accuracy", "max"),
        ("score", "min"),
    ]
    assert (multi.name, multi.direction) == ("multi_objective", "min")
    assert multi.name_to_direction == {"accuracy": "max", "score": "min"}


def test_multi_objective_score_negates_maximised_values():
    multi = create_objective(["accuracy", "loss"])
    logs = {"accuracy": 3.0, "loss": 2.0, "mse": 10.0}
    assert multi.value_from(logs) == multi.get_value(logs) == -1.0
    assert multi.has_value(logs) and not multi.has_value({"accuracy": 3.0})
    assert multi.better(-1.0, 0.0) and multi.sort_key(-1.0) == -1.0
    with pytest.raises(
        ObjectiveError, match=r"'loss' is not among the logged metrics \(accuracy\)"
    ):
        multi.value_from({"accuracy": 3.0})


def test_multi_objective_equality_ignores_order():
    assert create_objective(["accuracy", "loss"]) == create_objective(["loss", "accuracy"])
    assert create_objective(["loss", "loss"]) != create_objective(["loss", "accuracy"])
    assert create_objective(["loss"]) != Objective("multi_objective", "min")
    assert hash(create_objective(["accuracy", "loss"])) == hash(
        create_objective(["loss", "accuracy"])
    )


def test_multi_objective_text():
    multi = create_objective(["loss", "accuracy"])
    assert str(multi) == (
        'MultiObjective(name="multi_objective", direction="min"): '
        '[Objective(name="loss", direction="min"), Objective(name="accuracy", direction="max")]'
    )
    assert repr(multi).startswith("MultiObjective([Objective(name='loss'")


def test_multi_objective_rejects_contradictions_and_nesting():
    from tunesmith.objective import MultiObjective

    with pytest.raises(ObjectiveError, match="both minimised and maximised"):
        create_objective([Objective("x", "min"), Objective("x", "max")])
    with pytest.raises(TypeError, match="not nested lists"):
        create_objective([["loss"], "accuracy"])
    with pytest.raises(ObjectiveError, match="at least one"):
        MultiObjective([])
    with pytest.raises(ObjectiveError, match=r"Objective\('my_score', direction="):
        create_objective(["loss", "my_score"])


def test_configs_round_trip_and_old_configs_still_load():
    multi = create_objective(["val_loss", Objective("val_auc", "max")])
    config = multi.get_config()
    assert config["name"] == "multi_objective" and len(config["objectives"]) == 2
    assert Objective.from_config(config) == multi
    assert type(Objective.from_config(config)).__name__ == "MultiObjective"
    assert Objective.from_config({"name": "val_loss", "direction": "min"}) == Objective(
        "val_loss", "min"
    )


def test_multi_objective_search_end_to_end(tmp_path):
    from tunesmith import tune
    from tunesmith.errors import StudyMismatchError
    from tunesmith.oracles import GridSearchOracle
    from tunesmith.store import Store

    def f(hp):
        x = hp.Int("x", 0, 10)
        return {"val_loss": (x - 7) ** 2 / 5, "val_auc": x / 10, "other": 1.0}

    result = tune(
        f,
        objective=["val_loss", Objective("val_auc", "max")],
        algorithm="grid",
        max_trials=None,
        directory=tmp_path,
        project_name="multi",
    )
    # score = (x - 7)^2 / 5 - x / 10, smallest at x = 7 (-0.7).
    assert result.best_values == {"x": 7}
    assert result.best_score == pytest.approx(-0.7)

    # The stored study resumes with the multi-objective rebuilt from its config ...
    resumed = GridSearchOracle(objective=["val_loss", Objective("val_auc", "max")])
    resumed.attach_store(Store.open(tmp_path / "multi"))
    assert resumed.get_best_trials(1)[0].values == {"x": 7}
    # ... and another combination is refused.
    with pytest.raises(StudyMismatchError, match="multi_objective"):
        GridSearchOracle(objective=["val_loss", "val_accuracy"]).attach_store(
            Store.open(tmp_path / "multi")
        )


def test_multi_objective_ask_tell_ranks_by_the_combined_score():
    from tunesmith import HyperParameters
    from tunesmith.oracles import RandomSearchOracle

    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = RandomSearchOracle(
        objective=["loss", Objective("auc", "max")], max_trials=6, hyperparameters=hp, seed=0
    )
    while (trial := oracle.ask()) is not None:
        x = trial.hyperparameters.get("x")
        oracle.tell(trial, {"loss": x, "auc": 3 * x})  # score -2x: the largest x wins
    told = list(oracle.trials.values())
    best = oracle.get_best_trials(1)[0]
    assert best.values["x"] == max(t.values["x"] for t in told)
    assert best.score == pytest.approx(-2 * best.values["x"])
