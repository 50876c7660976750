from tunesmith import HyperParameters
from tunesmith.oracles import GridSearchOracle


def run_all(oracle):
    values = []
    while (trial := oracle.ask()) is not None:
        values.append(dict(trial.values))
        oracle.tell(trial, 0.0)
    return values


def test_every_combination_once():
    hp = HyperParameters()
    hp.Int("layers", 1, 3)
    hp.Choice("act", ["relu", "tanh"])
    values = run_all(GridSearchOracle(objective="loss", hyperparameters=hp))
    assert len(values) == 6
    assert {(v["layers"], v["act"]) for v in values} == {
        (n, a) for n in (1, 2, 3) for a in ("relu", "tanh")
    }


def test_float_without_step_uses_the_documented_default_grid():
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    values = [v["lr"] for v in run_all(GridSearchOracle(objective="loss", hyperparameters=hp))]
    assert len(values) == 10
    assert min(values) == 1e-4 and abs(max(values) - 1e-1) < 1e-12
    small = GridSearchOracle(objective="loss", hyperparameters=hp, float_grid_size=4)
    assert len(run_all(small)) == 4


def test_conditional_children_only_where_active():
    hp = HyperParameters()
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 8, 24, step=8)
    values = run_all(GridSearchOracle(objective="loss", hyperparameters=hp))
    assert len(values) == 4
    assert {"model": "linear"} in values
    assert all(("units" in v) == (v["model"] == "mlp") for v in values)


def test_max_trials_caps_the_grid():
    hp = HyperParameters()
    hp.Int("n", 0, 9)
    assert len(run_all(GridSearchOracle(objective="loss", hyperparameters=hp, max_trials=3))) == 3
