"""Tracking integrations: each trial a run of an experiment tracker.

:class:`MLflowCallback` (the ``mlflow`` extra) and :class:`WandbCallback` (the
``wandb`` extra) are search callbacks: pass them to ``tune(callbacks=[...])`` or a
tuner's ``search(callbacks=[...])``. Each imports its tracker when it is first
used, so ``import tunesmith`` imports neither; a missing one raises an ImportError
naming the extra to install.

Example:
    >>> import tunesmith
    >>> tunesmith.integrations.MLflowCallback.__name__
    'MLflowCallback'
"""

from __future__ import annotations

from tunesmith._compat_paths import lazy_attributes

__getattr__, __dir__ = lazy_attributes(
    __name__,
    own={
        "MLflowCallback": "tunesmith.integrations.mlflow:MLflowCallback",
        "WandbCallback": "tunesmith.integrations.wandb:WandbCallback",
    },
)

__all__ = ["MLflowCallback", "WandbCallback"]
