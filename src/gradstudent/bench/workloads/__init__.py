"""The workloads of the side-by-side benchmark (``gradstudent bench``, ``benchmarks/run.py``).

Each module ``wN.py`` defines ``NAME`` ("W1"), ``DESCRIPTION`` (one line for the table) and

* ``make_gradstudent(device="cpu")`` and ``make_torch(device="cpu")``: build the same model,
  optimizer and batch in each framework, placed on ``device`` (``.to(device)``), and return
  ``step()``: zero grads, forward, loss, backward, optimizer step;
* optionally ``make_pyg(device="cpu")``: a second torch column (PyTorch Geometric).

The frameworks are imported inside the ``make_*`` functions, so listing the workloads needs
neither torch nor a GPU.
"""

from __future__ import annotations

from typing import Callable

#: one training step of a workload
Step = Callable[[], None]
