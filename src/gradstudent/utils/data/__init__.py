"""Datasets, samplers and the DataLoader (``gradstudent.utils.data``), as in PyTorch."""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "DataLoader", "default_collate", "Dataset", "Subset", "TensorDataset", "random_split", "Sampler", "SequentialSampler",
    "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
]
from .combined import ConcatDataset, StackDataset, get_worker_info  # noqa: E402,F401  (datasets of datasets)
