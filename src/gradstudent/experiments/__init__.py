"""The course's experiments: ``gradstudent run NAME``. See :mod:`.registry` for how to add one."""

from .registry import ConfigError, RunContext, all_experiments, experiment, get  # noqa: F401
from .runner import run_experiment  # noqa: F401
