"""Datasets that need no download (digits, synthetic 2-D sets), plus loaders with a cache for real ones."""

from .densities import DENSITIES_2D, Checkerboard, Density2D, EightGaussians, Pinwheel, SwissRoll, TwoMoons, density_2d, sample_2d
from .synthetic import make_blobs, make_circles, make_moons, make_spirals, make_xor
from .shapes import CLASSES as SHAPE_CLASSES
from .shapes import Shapes, make_shapes
from .tabular import digits, load_digits_arrays
from .vision import CIFAR10, MNIST, FashionMNIST, data_dir, read_cifar_bin, read_idx, write_cifar_bin, write_idx

__all__ = [
    "make_blobs", "make_circles", "make_moons", "make_spirals", "make_xor", "digits", "load_digits_arrays",
    "Shapes", "make_shapes", "SHAPE_CLASSES", "CIFAR10", "MNIST", "FashionMNIST", "data_dir",
    "read_idx", "write_idx", "read_cifar_bin", "write_cifar_bin",
    "Density2D", "TwoMoons", "EightGaussians", "Checkerboard", "SwissRoll", "Pinwheel", "DENSITIES_2D",
    "density_2d", "sample_2d",
]
