"""Sheet 2 — the ops of an autodiff engine.

These classes are gradstudent's own ops, copied from the library with their
``backward`` removed. ``forward`` works on arrays; ``backward(grad)`` gets
dL/d(output) as a Tensor and returns dL/d(input) for each input, written with
*Tensor* operations (so that the chain rule itself is differentiable and second
derivatives work). The engine sums a gradient back to an input's shape when the
forward broadcast it, so you may return the broadcast shape.

Useful inside ``backward``: ``self.saved_inputs()`` (the inputs, checked
unmodified), ``self.saved_output()`` (the output, for ops that set
``saves_output = True``), ``self.needs_input_grad``, ``t.mT`` (matrix transpose).
Try them with ``Mul.apply(a, b)`` on tensors with ``requires_grad=True``.
"""

from __future__ import annotations

# %% library imports

# %% include gradstudent.ops.elementwise:Mul solve=backward
# %% include gradstudent.ops.unary:Exp solve=backward
# %% include gradstudent.ops.linalg:MatMul solve=backward
# %% include gradstudent.ops.reduce:Sum solve=backward
