"""``gs.onnx``: importable like ``torch.onnx``; exporting is not supported.

ONNX export traces a model into a graph of standard operators. gradstudent
has no tracer, so :func:`export` explains the alternative instead of writing
a file: save the weights with ``gs.save(model.state_dict(), path)`` (a
safetensors file that PyTorch loads), load them into the same architecture
in PyTorch, and export there with ``torch.onnx.export``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["export", "is_in_onnx_export"]

_MESSAGE = (
    "gs.onnx.export: ONNX export is not supported by gradstudent (it has no graph tracer). "
    "Save the weights with gs.save(model.state_dict(), 'model.safetensors'), load them into the same "
    "architecture in PyTorch (safetensors.torch.load_file + model.load_state_dict) and call torch.onnx.export there."
)


def export(model: Any, args: Any = None, f: Any = None, *more: Any, **kwargs: Any) -> None:
    """Not supported: raises NotImplementedError with the safetensors-to-PyTorch route."""
    raise NotImplementedError(_MESSAGE)


def is_in_onnx_export() -> bool:
    """Always False: gradstudent never exports."""
    return False
