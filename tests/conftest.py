"""Shared test set-up: the JAX backend unless the user chose one, fixed seeds, and the
markers that split the suite into a fast lane and the rest.

`make test` (CI) runs every test. `make test-fast` deselects every marker in
``LANE_MARKERS`` (each registered in pyproject.toml). A test gets one when it starts
another Python interpreter (``subprocess``), worker processes (``workers``), Ray
(``ray``), Chromium (``browser``) or a real dashboard server (``server``); when it
trains or compiles real Keras models beyond a few tiny ones (``keras``); or when it
takes more than about 1.5 s for another reason (``slow``). The slow ones were found
with ``pytest --durations=0``; `make test` prints the 25 slowest, so a test that grows
slow shows up there and belongs in the tables below.

The rule lives here, in one place: whole modules, single tests, and fixtures that start
a process. Paths are relative to tests/; tests/test_lanes.py checks that every name
still names a test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")
# Quiet JAX's CPU warnings and keep each test process from grabbing every core.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The Keras tuners' compilation cache: one for the whole run (its subprocesses too),
# never the user's own folder.
if "TUNESMITH_CACHE_DIR" not in os.environ:
    os.environ["TUNESMITH_CACHE_DIR"] = tempfile.mkdtemp(prefix="tunesmith-test-cache-")
    # Removed when the run ends: programs from every run would pile up in the temp folder.
    atexit.register(shutil.rmtree, os.environ["TUNESMITH_CACHE_DIR"], ignore_errors=True)

from functools import cache
from pathlib import Path

import numpy as np
import pytest

TEST_DIR = Path(__file__).resolve().parent

#: The markers `make test-fast` deselects.
LANE_MARKERS = ("slow", "subprocess", "workers", "ray", "browser", "server", "keras")

#: Marker -> the modules whose every test gets it.
MODULES: dict[str, list[str]] = {
    "subprocess": [
        "faults/test_ctrl_c.py",
        "keras/test_crash_resume.py",
        "keras/test_hyperband_resume.py",
        "store/test_store_durability.py",
        "test_backend.py",
        "execution/test_ray_quiet.py",
        "execution/test_notebook_kernel.py",
        "keras/test_compile_cache.py",
    ],
    "workers": [
        "execution/test_executors.py",  # its [ray] cases are "ray" too (TESTS)
        "execution/test_local_workers.py",
        "execution/test_first_round.py",  # its [ray] cases are "ray" too (TESTS)
    ],
    "ray": ["execution/test_ray_workers.py", "execution/test_ray_quiet.py"],
    "browser": ["report/test_report_browser.py", "web/test_dashboard_browser.py"],
    "server": ["web/test_dashboard_browser.py"],
    "keras": [
        "keras/test_compile_cache.py",
        # The applications' full-size networks: the first one built pays seconds to
        # tens of seconds of XLA compiling its initialisers, whichever test it is.
        "applications/test_applications_efficientnet.py",
        "applications/test_applications_resnet.py",
        "applications/test_applications_xception.py",
        "keras/test_bayesian_tuner.py",
        "keras/test_best_models_missing_weights.py",
        "keras/test_crash_resume.py",
        "keras/test_hyperband_resume.py",
        "keras/test_interrupt.py",
        "keras/test_promotion.py",
        "keras/test_pruning_tuner.py",
        "keras/test_schedule_epochs_warning.py",
        "keras/test_w1_document_code.py",
        "tensorboard/test_tensorboard_keras.py",  # its module fixture trains
    ],
    # An MLflow store's tables (seconds), W&B's service starting (about 1.5 s).
    "slow": ["integrations/test_mlflow.py", "integrations/test_wandb.py"],
}

#: Marker -> module -> the tests in it that get it: a function (all its
#: parametrisations), one case ("function[id]"), a class, or "[id]" (every case of
#: the module with that parametrisation id).
TESTS: dict[str, dict[str, list[str]]] = {
    # Another Python interpreter: a CLI run, `python -c`, a child killed on purpose.
    "subprocess": {
        "faults/test_readers_never_write.py": ["test_a_read_only_folder_can_be_read"],
        "faults/test_store_faults.py": [
            "test_frames_of_an_earlier_life_of_the_log_are_not_damage",
            "test_a_file_size_limit_like_a_full_disk_keeps_the_store",
            "test_a_small_tmpfs_filling_up_keeps_the_store",
        ],
        "oracles/test_sampler_scheduler_contract.py": [
            "test_model_based_hyperband_resumes_after_sigkill"
        ],
        "store/test_store_lock.py": ["test_a_second_process_cannot_drive_the_same_project"],
        "studies/test_cifar10_models.py": ["test_importing_the_module_does_not_import_keras"],
        "tensorboard/test_tensorboard_missing.py": [
            "test_importing_tunesmith_needs_neither_tensorboard_nor_keras"
        ],
        "test_cli.py": ["test_dashboard_serves_until_stopped"],
        "test_compat_paths.py": ["test_import_tunesmith_and_the_keras_free_paths_load_no_keras"],
        "test_metrics_tracking.py": ["test_names_are_inferred_without_importing_keras"],
        "test_docs_site.py": ["test_mkdocs_build_strict_succeeds"],
        "test_readme_examples.py": ["test_program_runs_as_written"],
        "test_tune.py": ["test_tune_does_not_import_keras"],
        "testing/test_testing_package.py": [
            "test_import_tunesmith_imports_neither_the_suites_nor_pytest"
        ],
    },
    "workers": {
        "tensorboard/test_tensorboard_keras.py": [
            "test_with_workers_every_trial_gets_its_hparams_session_and_curves"
        ],
        "test_tune_steps.py": ["test_steps_reach_the_driver_from_worker_processes"],
        "testing/test_contracts.py": ["TestLocalWorkers"],
    },
    "ray": {
        "execution/test_executors.py": ["[ray]"],
        "execution/test_first_round.py": ["[ray]"],
        "testing/test_contracts.py": ["TestRayWorkers"],
    },
    "browser": {
        "benchmarks/test_dashboard_benchmark.py": ["test_a_tiny_study_loads_and_is_cached"],
    },
    # uvicorn serving in a thread.
    "server": {
        "benchmarks/test_dashboard_benchmark.py": ["test_a_tiny_study_loads_and_is_cached"],
        "test_cli.py": ["test_dashboard_serves_until_stopped"],
        "web/test_dashboard_api.py": [
            "test_the_background_dashboard_of_a_folder_is_reused",
            "test_a_keras_tuner_opens_the_dashboard_on_its_study",
        ],
    },
    # Searches and fits of real Keras models.
    "keras": {
        "integrations/test_mlflow.py": ["test_a_keras_search_logs_each_epoch_of_each_execution"],
        "tuners/test_search_callbacks.py": [
            "test_a_keras_tuner_sends_search_callbacks_to_the_search_and_keras_ones_to_fit",
            "test_a_keras_tuner_refuses_an_object_that_is_neither_kind",
        ],
        "faults/test_ctrl_c.py": [
            "test_a_keras_search_interrupted_during_fit_shows_no_jax_traceback",
            "test_the_cli_demo_interrupted_exits_130_without_a_traceback",
        ],
        "applications/test_applications_augment.py": [
            "test_all_transforms_in_sequence",
            "test_rand_augment_transforms_each_image_in_training",
            "test_augmentation_trains_inside_a_classifier",
        ],
        "benchmarks/test_multi_fidelity_benchmark.py": [
            "test_tiny_run_writes_every_method_and_a_report"
        ],
        "keras/test_defects_keras.py": ["test_a_diverged_fit_is_invalid_whatever_the_objective"],
        "keras/test_hyperband_tuner.py": [
            "test_hyperband_runs_keras_tuners_schedule_and_continues_training",
            "test_hyperband_w1_hypermodel_on_tiny_data",
            "test_asha_promotes_and_continues",
        ],
        "keras/test_memory.py": [
            "test_no_model_outlives_its_trial",
            "test_jax_compiled_programs_are_cleared_between_trials",
            "test_a_search_freezes_the_heap_it_found_and_hands_it_back",
        ],
        "keras/test_keras_tuner_quickstart.py": [
            "test_keras_tuners_readme_quick_start_runs_unchanged",
            "test_subclassed_model_loads_with_its_best_weights",
            "test_hyperband_promotions_continue_a_lazily_built_model",
        ],
        "keras/test_keras_tuner_results.py": [
            "test_a_custom_fit_result_is_the_score_not_the_epochs",
            "test_a_returned_history_counts_at_its_best_epoch",
            "test_executions_are_averaged_like_keras_tuner",
        ],
        "keras/test_keras_tuner_tuner.py": [
            "test_given_hyperparameters_override_the_builds_definitions",
            "test_tune_new_entries_false_fixes_the_others_at_their_defaults",
            "test_compile_overrides_keep_the_rest_and_give_each_model_its_optimizer",
            "test_hooks_are_called_at_the_right_moments",
            "test_reload_save_and_trial_dirs",
        ],
        "keras/test_mistakes_fail_early.py": [
            "test_an_objective_not_logged_stops_the_search_after_one_epoch",
            "test_an_objective_validated_every_other_epoch_is_not_missing",
            "test_a_validation_objective_without_validation_data_fails_before_any_trial",
            "test_an_objective_not_logged_names_the_closest_logged_metric",
        ],
        "keras/test_tuner.py": [
            "test_random_search_end_to_end",
            "test_callbacks_are_fresh_per_trial_and_executions_are_averaged",
            "test_hypermodel_fit_can_tune_batch_size",
            "test_a_build_error_fails_the_trial_and_the_search_goes_on",
            "test_objective_not_logged_names_the_logged_metrics",
            "test_nan_loss_makes_the_trial_invalid_and_stops_its_fit",
            "test_resume_does_nothing_more_when_done_and_overwrite_starts_afresh",
            "test_a_changed_hypermodel_is_refused_on_resume",
        ],
        "studies/test_cifar10_models.py": [
            "test_baseline_space_is_the_documents_and_builds_the_chosen_layers",
            "test_depth_width_space_is_the_documents_and_builds_the_chosen_layers",
            "test_cnn_space_and_the_chosen_blocks",
            "test_depth_dense_at_twenty_layers",
            "test_every_study_honours_shape_and_classes",
            "test_study_searches_with_both_tuners",
            "test_training_fit_uses_the_hp_batch_size",
            "test_training_cosine_schedule_lowers_the_rate",
            "test_training_constant_schedule_keeps_the_rate",
            "test_cnn_trains_on_digit_shaped_images_with_the_most_blocks",
            "test_cnn_validates_well_on_real_digits_within_a_few_epochs",
        ],
        "studies/test_cifar10_study.py": [
            "test_demo_cifar10_on_synthetic_data_compares_both_tuners"
        ],
        "test_cli.py": ["test_demo_runs_the_w1_study"],
        "test_readme_examples.py": ["test_program_runs_as_written"],
        "web/test_dashboard_api.py": ["test_a_keras_tuner_opens_the_dashboard_on_its_study"],
    },
    # Over about 1.5 s for another reason: GP fits, whole HTML reports with figures.
    "slow": {
        "test_docs_site.py": ["test_mkdocs_build_strict_succeeds"],  # mkdocs, ~5 s
        "samplers/test_bayesian_multiobjective.py": ["test_three_objectives_beat_random_search"],
        "samplers/test_bayesian_constraints.py": [
            "test_far_fewer_infeasible_proposals_than_random_search"
        ],
        "samplers/test_gp_subset.py": [
            "test_above_the_cap_the_model_is_fitted_on_cap_results_and_still_converges"
        ],
        "study/test_import.py": [  # optuna's first import
            "test_a_single_objective_optuna_study_is_imported",
            "test_a_two_objective_optuna_study_fills_a_pareto_study_in_order",
        ],
        "oracles/test_asha.py": [
            "test_far_fewer_epochs_than_full_training_and_a_near_best_result[bayesian]"
        ],
        "oracles/test_bayesian.py": [
            "test_beats_random_search_on_branin",
            "test_conditional_spaces_give_valid_proposals_and_find_the_best_branch",
            "test_pending_trials_get_distinct_spread_out_proposals",
            "test_failed_and_invalid_trials_steer_the_search_away",
        ],
        "report/test_report_page.py": [
            "test_report_holds_every_view_of_the_search",
            "test_report_is_self_contained_and_escapes_values",
            "test_the_best_row_matches_the_best_score",
            "test_data_views_model_and_evaluation_sections",
            "test_comparison_tables_follow_the_overview",
            "test_too_few_trials_for_a_view_says_so",
            "test_cli_report",
        ],
    },
}

#: Marker -> fixtures whose every user gets it.
FIXTURES: dict[str, list[str]] = {
    # faults/: a search SIGKILLed in a child process, once per module.
    "subprocess": ["killed_project", "six_done"],
}


@cache
def _index() -> dict[str, set[str]]:
    """Each name of the tables (``module``, ``module::test``, ``fixture``) -> its markers."""
    index: dict[str, set[str]] = {}
    for marker, modules in MODULES.items():
        for module in modules:
            index.setdefault(module, set()).add(marker)
    for marker, by_module in TESTS.items():
        for module, tests in by_module.items():
            for test in tests:
                index.setdefault(f"{module}::{test}", set()).add(marker)
    for marker, fixtures in FIXTURES.items():
        for fixture in fixtures:
            index.setdefault(f"fixture:{fixture}", set()).add(marker)
    return index


def lane_markers(item: pytest.Item) -> set[str]:
    """The markers the tables give ``item``."""
    path = Path(str(item.path)).resolve()
    if not path.is_relative_to(TEST_DIR):
        return set()
    module = path.relative_to(TEST_DIR).as_posix()
    names = [module, f"{module}::{item.name}", f"{module}::{getattr(item, 'originalname', '')}"]
    if isinstance(item.parent, pytest.Class):
        names.append(f"{module}::{item.parent.name}")
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        names.append(f"{module}::[{callspec.id}]")
    names += [f"fixture:{name}" for name in getattr(item, "fixturenames", ())]
    index = _index()
    return {marker for name in names for marker in index.get(name, ())}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(lane_markers(item)):
            item.add_marker(marker)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
