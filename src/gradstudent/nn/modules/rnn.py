"""``torch.nn.modules.rnn``'s import path: the classes live in ``gradstudent.nn.rnn``."""

from __future__ import annotations

from ..rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
