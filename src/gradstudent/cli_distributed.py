"""``gradstudent run NAME --distributed``: join the MPI world, run, and stop every rank if one fails.

Started as ``mpiexec -n W gradstudent run NAME --distributed`` (``W`` copies of the command).
Each copy joins the process group, runs the experiment data-parallel
(:mod:`gradstudent.experiments._distributed`) and, through
:func:`gradstudent.distributed.run_or_abort`, turns an error on any rank into ``MPI_Abort``:
``mpiexec`` then stops all ranks and exits non-zero instead of leaving them waiting.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

MPI_ENV = ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK")  # set by mpiexec (MPICH, PMIx, Open MPI)


def under_mpiexec() -> bool:
    """Whether this process was started by mpiexec."""
    return any(v in os.environ for v in MPI_ENV)


def hint_without_distributed() -> None:
    """Under mpiexec without --distributed every rank trains its own copy of the run: say so, once."""
    if under_mpiexec() and os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")) == "0":
        print("gradstudent: started by mpiexec without --distributed: every rank runs its own, separate copy of "
              "this run; add --distributed to train one run data-parallel", file=sys.stderr)


def main_distributed(run: Callable[[], int]) -> int:
    """Initialise the process group (a clear message if mpi4py is missing), then ``run()`` under run_or_abort."""
    from .distributed import init_process_group, run_or_abort

    try:
        init_process_group("mpi")
    except ImportError as err:
        print(f"gradstudent: --distributed: {err}", file=sys.stderr)
        return 2
    return run_or_abort(run)
