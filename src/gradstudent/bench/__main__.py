"""``python -m gradstudent.bench``: the same as ``gradstudent bench`` (and the runner's child processes)."""

import sys

from .runner import main

sys.exit(main(sys.argv[1:]))
