"""Quiz questions, generated with random numbers and answered by computing with gradstudent.

Every generator takes a NumPy ``Generator`` and returns a :class:`Question`
whose answer was computed by the library itself (building the layer and
counting its parameters, running autograd, taking an optimizer step), so the
questions test the same facts the code implements. The same seed gives the
same quiz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import gradstudent as gs
from gradstudent import nn, optim


@dataclass
class Question:
    """One question: multiple choice (``choices`` given) or numeric (answer within ``tolerance``)."""

    topic: str
    text: str
    answer: float | str
    choices: list[str] = field(default_factory=list)
    tolerance: float = 1e-2  # relative, for numeric answers
    explanation: str = ""

    @property
    def kind(self) -> str:
        return "choice" if self.choices else "numeric"

    def check(self, reply: str) -> bool:
        """Is ``reply`` (a choice letter, or a number) correct?"""
        reply = reply.strip()
        if self.choices:
            letters = "abcdefgh"[: len(self.choices)]
            return reply.lower() in letters and self.choices[letters.index(reply.lower())] == self.answer
        try:
            value = float(reply)
        except ValueError:
            return False
        target = float(self.answer)
        return abs(value - target) <= self.tolerance * max(1.0, abs(target))


def _grad(t: gs.Tensor) -> gs.Tensor:
    if t.grad is None:
        raise RuntimeError("quiz: the gradient was not computed")
    return t.grad


def _shuffled_choices(rng: np.random.Generator, right: str, wrong: list[str]) -> list[str]:
    options = [right] + [w for w in dict.fromkeys(wrong) if w != right][:3]
    return [options[i] for i in rng.permutation(len(options))]


# ------------------------------------------------------------------ autograd
def softmax_ce_gradient(rng: np.random.Generator) -> Question:
    z = np.round(rng.normal(size=3), 1)
    target = int(rng.integers(3))
    k = int(rng.integers(3))
    logits = gs.tensor(z.tolist(), dtype=gs.float64, requires_grad=True)
    nn.functional.cross_entropy(logits.unsqueeze(0), gs.tensor([target])).backward()
    g = float(_grad(logits).detach().numpy()[k])
    return Question(
        "autograd", f"Logits z = {z.tolist()}, target class {target}. With L = cross_entropy(z, {target}), what is dL/dz[{k}]? (3 decimals)",
        round(g, 3), tolerance=5e-3, explanation="dL/dz = softmax(z) - onehot(target)",
    )


def chain_rule(rng: np.random.Generator) -> Question:
    w, x, b = (float(v) for v in np.round(rng.uniform(-1.5, 1.5, size=3), 1))
    wt = gs.tensor(w, dtype=gs.float64, requires_grad=True)
    y = (wt * x + b).tanh()
    y.backward()
    return Question(
        "autograd", f"y = tanh(w*x + b) with w = {w}, x = {x}, b = {b}. What is dy/dw? (3 decimals)",
        round(float(_grad(wt).item()), 3), tolerance=5e-3, explanation="dy/dw = (1 - tanh^2(wx + b)) * x",
    )


def reused_node(rng: np.random.Generator) -> Question:
    a = float(np.round(rng.uniform(0.5, 2.0), 1))
    x = gs.tensor(a, dtype=gs.float64, requires_grad=True)
    u = x * x
    (u * x + u).backward()
    return Question(
        "autograd", f"u = x*x and f = u*x + u, at x = {a}. What is df/dx? (a node used twice gets both gradients)",
        round(float(_grad(x).item()), 4), explanation="df/dx = 3x^2 + 2x: the gradients along both uses of u are added",
    )


# ------------------------------------------------------------------ layers
def linear_parameters(rng: np.random.Generator) -> Question:
    n_in, n_out = (int(v) for v in rng.integers(3, 300, size=2))
    count = sum(p.numel() for p in nn.Linear(n_in, n_out).parameters())
    return Question("layers", f"How many parameters has nn.Linear({n_in}, {n_out})?", count, tolerance=0.0,
                    explanation="in*out weights + out biases")


def conv_parameters(rng: np.random.Generator) -> Question:
    cin, cout, k = int(rng.integers(1, 16)), int(rng.integers(2, 64)), int(rng.choice([1, 3, 5]))
    count = sum(p.numel() for p in nn.Conv2d(cin, cout, k).parameters())
    return Question("cnn", f"How many parameters has nn.Conv2d({cin}, {cout}, kernel_size={k})?", count, tolerance=0.0,
                    explanation="out * in * k * k weights + out biases")


def conv_output_shape(rng: np.random.Generator) -> Question:
    n, c, h = int(rng.integers(1, 9)), int(rng.integers(1, 4)), int(rng.integers(8, 33))
    k, s, p = int(rng.choice([3, 5])), int(rng.choice([1, 2])), int(rng.choice([0, 1, 2]))
    out = nn.Conv2d(c, 8, k, stride=s, padding=p)(gs.zeros(n, c, h, h))
    right = str(tuple(out.shape))
    side = (h + 2 * p - k) // s + 1
    wrong = [str((n, 8, side + 1, side + 1)), str((n, 8, h - k + 1, h - k + 1)), str((n, c, side, side)), str((n, 8, (h - k) // s, (h - k) // s))]
    return Question(
        "cnn", f"Input of shape {(n, c, h, h)} through nn.Conv2d({c}, 8, {k}, stride={s}, padding={p}). Output shape?",
        right, _shuffled_choices(rng, right, wrong), explanation="side = floor((H + 2p - k) / s) + 1",
    )


def pool_output_shape(rng: np.random.Generator) -> Question:
    h, k = int(rng.integers(6, 30)), int(rng.choice([2, 3]))
    out = nn.MaxPool2d(k)(gs.zeros(1, 4, h, h))
    right = str(tuple(out.shape))
    wrong = [str((1, 4, h - k + 1, h - k + 1)), str((1, 4, -(-h // k), -(-h // k))), str((1, 4, h * k, h * k)), str((1, 1, h // k, h // k))]
    return Question("cnn", f"nn.MaxPool2d({k}) on an input of shape {(1, 4, h, h)}: output shape?", right, _shuffled_choices(rng, right, wrong),
                    explanation="stride defaults to the kernel size; the last partial window is dropped")


def lstm_parameters(rng: np.random.Generator) -> Question:
    n_in, hidden = int(rng.integers(2, 100)), int(rng.integers(2, 100))
    kind = str(rng.choice(["LSTM", "GRU", "RNN"]))
    layer = getattr(nn, kind)(n_in, hidden)
    count = sum(p.numel() for p in layer.parameters())
    return Question("sequence", f"How many parameters has nn.{kind}({n_in}, {hidden})?", count, tolerance=0.0,
                    explanation="G gates (LSTM 4, GRU 3, RNN 1): G*H*(in + H) weights + 2*G*H biases")


def attention_parameters(rng: np.random.Generator) -> Question:
    heads = int(rng.choice([1, 2, 4]))
    embed = heads * int(rng.integers(2, 16))
    count = sum(p.numel() for p in nn.MultiheadAttention(embed, heads).parameters())
    return Question("sequence", f"How many parameters has nn.MultiheadAttention(embed_dim={embed}, num_heads={heads})?", count, tolerance=0.0,
                    explanation="Q, K, V projections (3E*E + 3E) and the output projection (E*E + E); heads split E, they add none")


# ------------------------------------------------------------------ optimizers
def sgd_momentum_step(rng: np.random.Generator) -> Question:
    w0, g1, g2 = (float(v) for v in np.round(rng.uniform(-1, 1, size=3), 2))
    lr, mu = 0.1, 0.9
    w = nn.Parameter(gs.tensor([w0], dtype=gs.float64))
    opt = optim.SGD([w], lr=lr, momentum=mu)
    for g in (g1, g2):
        w.grad = gs.tensor([g], dtype=gs.float64)
        opt.step()
    return Question(
        "optim", f"w = {w0}; SGD(lr={lr}, momentum={mu}) takes two steps with gradients {g1} then {g2}. What is w now? (4 decimals)",
        round(float(w.detach().numpy()[0]), 4), tolerance=1e-3, explanation="v1 = g1, v2 = mu*v1 + g2; w -= lr*v each step",
    )


def adam_first_step(rng: np.random.Generator) -> Question:
    g = float(np.round(rng.uniform(0.01, 100.0), 2)) * float(rng.choice([-1, 1]))
    lr = float(rng.choice([1e-3, 1e-2, 0.1]))
    w = nn.Parameter(gs.tensor([0.0], dtype=gs.float64))
    opt = optim.Adam([w], lr=lr)
    w.grad = gs.tensor([g], dtype=gs.float64)
    opt.step()
    step = abs(float(w.detach().numpy()[0]))
    right = f"{step:.3g}"
    wrong = [f"{lr * abs(g):.3g}", f"{lr * abs(g) ** 0.5:.3g}", f"{lr / abs(g):.3g}", f"{lr * 0.1:.3g}"]
    return Question("optim", f"Adam(lr={lr}) starting at w = 0 sees the gradient {g}. How far does w move in the first step?",
                    right, _shuffled_choices(rng, right, wrong), explanation="after bias correction m/sqrt(v) = g/|g|: the first step is lr")


# ------------------------------------------------------------------ the table
TOPICS: dict[str, list[Callable[[np.random.Generator], Question]]] = {
    "autograd": [softmax_ce_gradient, chain_rule, reused_node],
    "layers": [linear_parameters],
    "cnn": [conv_parameters, conv_output_shape, pool_output_shape],
    "sequence": [lstm_parameters, attention_parameters],
    "optim": [sgd_momentum_step, adam_first_step],
}
TOPICS["all"] = [g for gens in list(TOPICS.values()) for g in gens]


def make_quiz(topic: str, n: int = 5, seed: int = 0) -> list[Question]:
    """``n`` questions on ``topic`` (see :data:`TOPICS`), reproducible from ``seed``."""
    if topic not in TOPICS:
        raise KeyError(f"quiz: unknown topic {topic!r}; topics: {', '.join(TOPICS)}")
    if n < 1:
        raise ValueError(f"quiz: the number of questions must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    gens = TOPICS[topic]
    order = [gens[i % len(gens)] for i in range(n)]
    with _Seeded(seed):
        return [gen(rng) for gen in order]


class _Seeded:
    """Seed gradstudent's generator for the duration (layer initialisations), then restore it."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        self.state = gs.get_rng_state()
        gs.manual_seed(self.seed)

    def __exit__(self, *exc: object) -> None:
        gs.set_rng_state(self.state)


def to_markdown(questions: list[Question], with_answers: bool = True) -> str:
    """The questions as Markdown for a written exam (answers and explanations in a key at the end)."""
    lines = ["# Quiz", ""]
    for i, q in enumerate(questions, 1):
        lines.append(f"**{i}.** {q.text}")
        lines += [f"   - ({'abcdefgh'[j]}) {c}" for j, c in enumerate(q.choices)]
        lines.append("")
    if with_answers:
        lines += ["## Answer key", ""]
        for i, q in enumerate(questions, 1):
            ans = f"({'abcdefgh'[q.choices.index(str(q.answer))]}) {q.answer}" if q.choices else str(q.answer)
            lines.append(f"{i}. {ans}" + (f" — {q.explanation}" if q.explanation else ""))
    return "\n".join(lines) + "\n"
