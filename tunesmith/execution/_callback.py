"""What follows a search from the driver: the display, boards, keras-tuner's hooks."""

from __future__ import annotations

from tunesmith.study import Study
from tunesmith.trial import Trial


class Callback:
    """Something that follows a search: override the moments you need.

    The display, the TensorBoard board, checkpoint release and keras-tuner's tuner
    hooks are callbacks; pass your own in ``callbacks=[...]`` to
    :func:`~tunesmith.tune`, to a tuner's ``search()`` or to :func:`run_study`
    (:mod:`tunesmith.integrations` has MLflow's and W&B's). They run on the driver,
    in the order given, and see the study after it recorded each change.

    Example:
        >>> class Count(Callback):
        ...     ended = 0
        ...     def on_trial_end(self, study, trial):
        ...         self.ended += 1
    """

    def on_search_begin(self, study: Study) -> None:
        """The search starts (its pool is up)."""

    def before_ask(self, study: Study) -> None:
        """A trial is about to be asked for (keras-tuner's ``pre_create_trial``)."""

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        """``trial`` was asked for and is about to run."""

    def on_trial_progress(
        self,
        study: Study,
        trial: Trial,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: dict[str, float],
    ) -> None:
        """A running trial finished an epoch (after its report was recorded).

        Only Keras fits send epochs; a :func:`~tunesmith.tune` function's
        ``steps.report`` reaches :meth:`on_trial_report` alone."""

    def on_trial_report(
        self,
        study: Study,
        trial: Trial,
        execution: int,
        step: int,
        metrics: dict[str, float],
    ) -> None:
        """A running trial reported ``metrics`` at ``step`` of ``execution`` (from 0),
        after the study recorded them: each epoch of a Keras fit, each
        ``steps.report`` of a :func:`~tunesmith.tune` function."""

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        """``trial`` ended and the study recorded it (or queued it to run again)."""

    def on_interrupt(self, study: Study, trial: Trial | None) -> None:
        """Ctrl-C stopped the search; ``trial`` is the one running in this process."""

    def on_search_end(self, study: Study) -> None:
        """The search is over (not called after an error or Ctrl-C)."""

    def on_close(self, study: Study) -> None:
        """The loop exits, however it exits."""
