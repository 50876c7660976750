"""One BLAS thread while the model works.

The matrices here are small (a few hundred rows). Multi-threaded OpenBLAS spends
more time waking and synchronising its threads than computing on them, and on a
shared or busy machine a 200 x 200 Cholesky factorisation goes from 0.2 ms to
5 ms. ``threadpoolctl`` (installed with scikit-learn, and small) limits the
threads for the duration of an ``ask``; without it the BLAS default is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_controller: Any = None


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with BLAS limited to one thread (when threadpoolctl is installed).

    Example:
        >>> with single_blas_thread():
        ...     pass
    """
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _controller = False
        else:
            # Inspecting the loaded libraries takes milliseconds: do it once.
            _controller = ThreadpoolController()
    if _controller is False:
        yield
        return
    with _controller.limit(limits=1, user_api="blas"):
        yield
