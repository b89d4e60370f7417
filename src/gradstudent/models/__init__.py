"""A library of models built from ``gradstudent.nn``. Each family lives in its own module."""

from .gpt import GPT  # noqa: F401
from .sequence import AttentionClassifier, CharLSTM, RecurrentClassifier  # noqa: F401
from .seq2seq import AdditiveAttention, Seq2Seq  # noqa: F401
