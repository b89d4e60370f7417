"""Physics for machine learning: Ising Monte Carlo, autoregressive Ising models, symplectic integrators, simulators.

``odeint`` (Euler, RK4, Dormand–Prince, gradients through the solver) is
``gradstudent.integrate.odeint``, re-exported here when that module is present.
"""

from . import autoregressive, ising, integrators, simulators
from .autoregressive import AutoregressiveIsing
from .integrators import leapfrog, position_verlet, symplectic_euler, velocity_verlet
from .simulators import burgers_cole_hopf, solve_reference
from ..integrate import odeint  # re-exported: Euler, RK4, Dormand-Prince on tensors

__all__ = ["ising", "autoregressive", "AutoregressiveIsing", "integrators", "simulators", "leapfrog", "velocity_verlet", "position_verlet",
           "symplectic_euler", "burgers_cole_hopf", "solve_reference", "odeint"]
