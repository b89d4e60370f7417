"""Datasets and the DataLoader (``gradstudent.utils.data``), as in PyTorch."""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split

__all__ = ["DataLoader", "default_collate", "Dataset", "Subset", "TensorDataset", "random_split"]
from .combined import ConcatDataset, StackDataset, get_worker_info  # noqa: E402,F401  (datasets of datasets)
