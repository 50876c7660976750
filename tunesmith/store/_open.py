"""Turning a ``storage=`` argument into a :class:`~tunesmith.store.Storage`."""

from __future__ import annotations

import os
from pathlib import Path

from tunesmith.errors import InvalidArgumentError
from tunesmith.store._base import Storage
from tunesmith.store._memory import MemoryStore
from tunesmith.store._sqlite import Store

_ACCEPTED = (
    "None (the SQLite store in the project folder), 'memory' (this process only), "
    "or an instance of a tunesmith.store.Storage subclass"
)


def open_storage(
    storage: Storage | str | None,
    project_dir: str | os.PathLike[str] | None,
    *,
    overwrite: bool = False,
) -> Storage:
    """The storage a ``storage=`` argument asks for.

    * ``None``: the SQLite :class:`~tunesmith.store.Store` of ``project_dir``,
      opened with :meth:`Store.open <tunesmith.store.Store.open>` (``overwrite=True``
      deletes its database and ``trials/`` first);
    * ``"memory"``: a new :class:`~tunesmith.store.MemoryStore` (``project_dir`` is
      not used);
    * a :class:`~tunesmith.store.Storage` instance: that storage, as it is.

    Raises:
        InvalidArgumentError: ``storage`` is anything else; or it is None and no
            ``project_dir`` is given; or ``overwrite=True`` comes with a storage
            instance, which this function cannot empty.

    Example:
        >>> open_storage("memory", None)
        MemoryStore(0 trials)
        >>> open_storage("sqlite", "runs/p")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        tunesmith.errors.InvalidArgumentError: storage='sqlite' is not a storage: pass None ...
    """
    if storage is None:
        if project_dir is None:
            raise InvalidArgumentError(
                "storage=None keeps the study in a project folder, and none was given: "
                "pass a directory (and project_name), or storage='memory'."
            )
        return Store.open(Path(project_dir), overwrite=overwrite)
    if isinstance(storage, Storage):
        if overwrite:
            raise InvalidArgumentError(
                f"overwrite=True cannot empty the storage passed as an instance "
                f"({storage!r}): pass a fresh one, or overwrite=False to resume its study."
            )
        return storage
    if isinstance(storage, str) and storage == "memory":
        return MemoryStore()
    if isinstance(storage, type) and issubclass(storage, Storage):
        raise InvalidArgumentError(
            f"storage={storage.__name__} is a class: pass an instance, e.g. "
            f"storage={storage.__name__}(...)."
        )
    raise InvalidArgumentError(f"storage={storage!r} is not a storage: pass {_ACCEPTED}.")
