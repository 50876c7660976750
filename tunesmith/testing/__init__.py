"""Contract suites: the checks tunesmith's own parts pass, for your own.

Each suite is a class of pytest tests with one factory to override. Subclass it in
a test module under a name pytest collects, return your part from the factory, and
pytest runs every check on it; tunesmith runs its own samplers, schedulers,
storages and executors through the same suites (``tests/testing/``).

* :class:`SamplerContract` (``make_sampler()``): valid values of a mixed space, no
  configuration twice (pending trials included), a finite space tried whole and
  then the end, the same seed the same proposals, resume without repeats, failed
  and NaN trials, Hyperband and ASHA on top, a JSON ``get_config()``.
* :class:`SchedulerContract` (``make_scheduler()``): fidelities, promotions that
  continue their parent, no failed parent, an end, the same schedule after a crash,
  ``Wait`` only while a trial runs.
* :class:`StorageContract` (``make_storage(tmp_path)``): settings, trials, curves and
  folders round-trip; a study resumes from it; ``close()``.
* :class:`ExecutorContract` (``make_executor()``): a search through
  :func:`~tunesmith.execution.run_study` completes, reports and stops reach their
  ends, failures and fatal errors end trials as they should, every trial ends once.

The checks hold for any correct implementation: none looks at which class it
tests. This package imports pytest; ``import tunesmith`` never imports it.

Example:
    >>> from tunesmith.samplers import RandomSampler
    >>> from tunesmith.testing import SamplerContract
    >>> class TestMySampler(SamplerContract):  # in a test module: pytest runs it all
    ...     def make_sampler(self):
    ...         return RandomSampler()
    >>> TestMySampler().test_get_config_is_json_serialisable()  # or one check by hand
"""

from tunesmith.testing._executor import ExecutorContract
from tunesmith.testing._sampler import SamplerContract
from tunesmith.testing._scheduler import SchedulerContract
from tunesmith.testing._storage import StorageContract

__all__ = ["ExecutorContract", "SamplerContract", "SchedulerContract", "StorageContract"]
