"""Start Ray without the notices a plain local run cannot act on.

Two messages appear on every local ``ray.init`` from a process that imported JAX:

- JAX's ``RuntimeWarning: os.fork() was called ... JAX is multithreaded``. Ray
  starts its own daemons (GCS, raylet, dashboard) with ``subprocess``, whose fork is
  followed at once by ``exec``: no JAX code runs in the child, so the deadlock the
  warning fears cannot happen. It is silenced for that call only; a fork anywhere
  else still warns.
- Ray's notice that token authentication is enabled by default for the local
  cluster: the secure default, nothing to do. The opposite notice (authentication
  disabled) is a security warning and stays.

Ray's own start-up INFO lines are lowered to WARNING unless ``init_kwargs`` sets
``logging_level``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

#: The logger of Ray's token-authentication notices.
AUTH_LOGGER = "ray._private.authentication.authentication_token_setup"


class _DropAuthEnabledNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Token authentication is enabled")


@contextmanager
def _quiet_start() -> Iterator[None]:
    auth_logger = logging.getLogger(AUTH_LOGGER)
    notice_filter = _DropAuthEnabledNotice()
    auth_logger.addFilter(notice_filter)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning
            )
            yield
    finally:
        auth_logger.removeFilter(notice_filter)


def init_ray(ray: ModuleType, address: str | None, init_kwargs: Mapping[str, Any]) -> None:
    """``ray.init(address, **init_kwargs)`` without the notices described above.

    Example:
        >>> import logging
        >>> calls = []
        >>> class FakeRay:
        ...     def init(self, **kwargs):
        ...         calls.append(kwargs)
        >>> init_ray(FakeRay(), None, {})
        >>> calls[0]["logging_level"] == logging.WARNING
        True
    """
    kwargs = {"logging_level": logging.WARNING, **dict(init_kwargs)}
    with _quiet_start():
        ray.init(address=address, **kwargs)
