"""keras-tuner tests that fail on tunesmith on purpose, each with its reason.

Keys are ``fnmatch`` patterns over ``"<file>::<test name>"`` as ``run.py`` names
tests; the first matching pattern gives the reason. Only public-API behaviour
that tunesmith chose to differ on, or keras-tuner internals that are no public
API, belong here.
"""

from __future__ import annotations

from fnmatch import fnmatch

INTERNALS = "keras-tuner's internals, not its public API"
GRPC = (
    "keras-tuner's chief/worker protocol (gRPC, protobuf messages): tunesmith runs "
    "trials in parallel through its own executors instead"
)

PROTO = "keras-tuner's protobuf messages for its gRPC protocol (to_proto / from_proto)"
PRIVATE_UTILS = "keras-tuner's private helpers (keras_tuner.utils), not its public API"
LEGACY_NAME = (
    "the pre-1.0 package name 'kerastuner' (keras-tuner's kt-legacy shim); tunesmith is "
    "imported as 'import tunesmith as kt'"
)

DISPLAY = (
    "keras-tuner's console display class (oracle.Display); tunesmith's display is its own "
    "(tunesmith.execution.SearchDisplay) and never part of the oracle"
)
OPTIONAL_IMPORTS = (
    "patches keras-tuner's optional imports of scipy / scikit-learn in its Bayesian module; "
    "tunesmith's Gaussian process needs scipy (a required dependency) and no scikit-learn"
)

HYPERBAND_PRIVATE = (
    "loads a promoted trial's parent weights through keras-tuner's private file names "
    "(_get_checkpoint_fname, _get_build_config_fname) and keras_tuner.utils.load_json; "
    "tunesmith continues a promotion from its parent's last-epoch checkpoint, checked in "
    "its own tests/keras/test_promotion.py"
)
ONE_STORE_PER_PROJECT = (
    "opens five oracles on one project folder at once, in threads: tunesmith keeps one "
    "writing study per project and refuses the concurrent opening with a clear StoreError "
    "(the per-oracle lock of @synchronized is checked by the same-oracle tests, which pass)"
)

IMAGENET = (
    "builds HyperEfficientNet with weights='imagenet', a download this offline machine "
    "cannot make; tunesmith stops at once with WeightsUnavailableError naming the file and "
    "the fix (the same tests pass with weights=None)"
)

INTERNAL_CALLBACKS = (
    "checks the class names of keras-tuner's internal callbacks (TunerCallback, "
    "SaveBestEpoch) among those passed to fit; tunesmith passes its own (TrialRecorder), "
    "next to the user's EarlyStopping and TensorBoard, which the test also checks"
)

GRID_PRIVATE = (
    "keras-tuner's private LinkedList helper of its grid search; tunesmith's grid order is "
    "checked by the other gridsearch tests and its own tests/oracles/test_grid_discovery.py"
)

INTENTIONAL: dict[str, str] = {
    "tuners/gridsearch_test.py::test_linked_list": GRID_PRIVATE,
    "engine/tuner_test.py::test_callbacks_in_fit_kwargs": INTERNAL_CALLBACKS,
    "engine/tuner_test.py::test_correct_display_trial_number": DISPLAY,
    "*::test_*proto*": PROTO,
    "engine/conditions_test.py::test_from_proto_error": PROTO,
    "tuners/hyperband_test.py::test_hyperband_load_weights": HYPERBAND_PRIVATE,
    "engine/oracle_test.py::test_synchronized_functions_in_different_oracle_doesnt_block": (
        ONE_STORE_PER_PROJECT
    ),
    "engine/oracle_test.py::test_display_format_duration_large_d": DISPLAY,
    "tuners/bayesian_test.py::test_scipy_not_install_error": OPTIONAL_IMPORTS,
    "tuners/bayesian_test.py::test_sklearn_not_install_error": OPTIONAL_IMPORTS,
    "distribute/*": GRPC,
    "test_utils/mock_distribute_test.py::*": GRPC,
    "engine/base_tuner_test.py::test_chief_should_wait_for_clients": GRPC,
    "engine/trial_test.py::test_trial_proto": PROTO,
    "engine/trial_test.py::test_trial_status_proto": PROTO,
    "engine/hyperparameters/hp_utils_test.py::test_sampling_*_proto_raise_error": PROTO,
    "utils_test.py::*": PRIVATE_UTILS,
    "integration_tests/legacy_import_test.py::*": LEGACY_NAME,
}


def reason_for(key: str) -> str | None:
    """The reason ``key`` ("file::test") may fail on tunesmith, or None."""
    for pattern, reason in INTENTIONAL.items():
        if fnmatch(key, pattern):
            return reason
    return None
