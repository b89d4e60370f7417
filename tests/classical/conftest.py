"""Run the classical tests with single-threaded BLAS.

numpy and scipy each bundle an OpenBLAS with its own busy-waiting thread
pool; on a small, shared machine the spinning threads can slow these
NumPy-heavy tests (and scipy.optimize loops) down several-fold.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_blas() -> Iterator[None]:
    with threadpool_limits(limits=1, user_api="blas"):
        yield
