"""Failing loudly across ranks: one rank's error stops the whole job instead of hanging it.

A rank that raises and exits normally leaves the others waiting forever in their next
collective (and MPI's own exit, ``MPI_Finalize``, waits for them too). ``python -m mpi4py``
solves this by calling ``MPI_Abort`` on an uncaught exception; :func:`run_or_abort` does the
same for ``gradstudent run --distributed`` and for your own scripts: it runs ``main()``, and if
that raises, or returns a non-zero exit code, it prints what happened on which rank and calls
``MPI_Abort``, which makes ``mpiexec`` stop every rank and exit non-zero.
"""

from __future__ import annotations

import sys
import traceback
from typing import Callable

from .process_group import _comm, get_rank, get_world_size


def run_or_abort(main: Callable[[], int]) -> int:
    """``main()``'s exit code; on an exception or a non-zero code, abort every rank (``MPI_Abort``)."""
    comm = _comm("run_or_abort")
    where = f"rank {get_rank()} of {get_world_size()}"
    try:
        code = main()
    except SystemExit as err:
        code = err.code if isinstance(err.code, int) else (0 if err.code is None else 1)
    except BaseException as err:  # noqa: BLE001  (KeyboardInterrupt included: the other ranks must stop too)
        traceback.print_exc()
        print(f"gradstudent: {where} failed ({type(err).__name__}: {err}); aborting all ranks (MPI_Abort)",
              file=sys.stderr, flush=True)
        sys.stdout.flush()
        comm.Abort(1)
        return 1  # not reached: MPI_Abort ends the process
    if code != 0:
        print(f"gradstudent: {where} stopped with exit code {code}; aborting all ranks (MPI_Abort)", file=sys.stderr, flush=True)
        sys.stdout.flush()
        comm.Abort(code)
    return code
