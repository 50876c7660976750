"""Older import path of the storage interface's names, kept while code still uses it.

New code imports them from :mod:`tunesmith.store`: the interface is
:class:`~tunesmith.store.Storage` (``StudyRecords`` is its older name).
"""

from tunesmith.store._base import CurvePoint, Storage, StudyRecords
from tunesmith.store._memory import MemoryStore

__all__ = ["CurvePoint", "MemoryStore", "Storage", "StudyRecords"]
