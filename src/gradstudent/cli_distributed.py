"""``gradstudent run NAME --distributed``: join the MPI world, run, and stop every rank if one fails.

Started as ``mpiexec -n W gradstudent run NAME --distributed`` (``W`` copies of the command).
Each copy joins the process group, runs the experiment data-parallel
(:mod:`gradstudent.experiments._distributed`) and, through
:func:`gradstudent.distributed.run_or_abort`, turns an error on any rank into ``MPI_Abort``:
``mpiexec`` then stops all ranks and exits non-zero instead of leaving them waiting.
"""

from __future__ import annotations

import sys
from typing import Callable


def main_distributed(run: Callable[[], int]) -> int:
    """Initialise the process group (a clear message if mpi4py is missing), then ``run()`` under run_or_abort."""
    from .distributed import init_process_group, run_or_abort

    try:
        init_process_group("mpi")
    except ImportError as err:
        print(f"gradstudent: --distributed: {err}", file=sys.stderr)
        return 2
    return run_or_abort(run)
