from . import ising
