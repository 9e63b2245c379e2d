"""Reverse-mode automatic differentiation over NumPy arrays.

A ``Tensor`` wraps an ``ndarray`` (``.data``) and, when it takes part in a
computation that needs gradients, remembers the tensors it came from and a
small ``_backward`` closure. ``loss.backward()`` visits the graph in reverse
topological order and each closure adds ``∂loss/∂input`` into ``input.grad``
by the chain rule::

    out = f(a, b)          a.grad += ∂out/∂a · out.grad

Every op below computes ``out`` first and defines its ``_backward`` right
under it, so forward and backward of one formula are read together. The
elementwise and matrix ops live here; the ops that change a tensor's shape
(sums, max, reshape, transpose, indexing) in ``shape_ops.py``, and the
printable view of the graph in ``graph.py``.

Conventions (as in PyTorch): a tensor only records its history when some input
has ``requires_grad=True`` and gradients are enabled (see :func:`no_grad`);
``.grad`` starts as ``None`` and accumulates with ``+=``.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .shape_ops import ShapeOps

_GRAD_ENABLED = True


@contextlib.contextmanager
def no_grad():
    """Inside ``with no_grad():`` no op records history (inference, updates)."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = previous


def is_grad_enabled() -> bool:
    return _GRAD_ENABLED


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the backward of NumPy broadcasting.

    If ``(B, n) + (n,)`` copied the ``(n,)`` operand along B rows, each copy
    received its own gradient, and the operand's gradient is their sum.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra))) if extra > 0 else grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class Tensor(ShapeOps):
    """An ``ndarray`` plus what is needed to differentiate through it.

    Parameters
    ----------
    data : array_like
        Floating-point values. Python numbers and lists become float64; integer
        ndarrays are refused, because a gradient with respect to an integer
        code has no meaning (codes live in plain ndarrays).
    requires_grad : bool
        Whether ``backward`` should fill ``.grad`` for this tensor.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()        # y = Σ x_i²
    >>> y.backward()
    >>> x.grad                   # ∂y/∂x_i = 2 x_i
    array([2., 4., 6.])
    """

    __array_priority__ = 100  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, _parents=(), _op: str = "leaf"):
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
            if data.dtype.kind in "iub":  # Tensor([1, 2]) means real numbers, as in the maths
                data = data.astype(np.float64)
        if data.dtype.kind != "f":
            raise TypeError(
                f"Tensor holds floating-point data, got dtype {data.dtype}: "
                "gradients need real numbers (integer codes live in plain ndarrays)")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = _parents
        self._op = _op
        self._backward = None

    # --- bookkeeping ---------------------------------------------------------
    @classmethod
    def from_op(cls, data, parents, op: str) -> "Tensor":
        """Result of ``op`` on ``parents``; history is kept only if needed.

        The caller sets ``out._backward`` when ``out.requires_grad`` is True.
        This is how ops outside this file (``functional.linear``,
        ``functional.cross_entropy``, fake quantization) join the graph.
        """
        track = _GRAD_ENABLED and any(p.requires_grad for p in parents)
        # always a plain Tensor: the result of an op on a Parameter is not a Parameter
        return Tensor(data, requires_grad=track, _parents=parents if track else (), _op=op)

    @staticmethod
    def lift(x, like: "Tensor") -> "Tensor":
        """Wrap a constant; Python numbers take ``like``'s dtype (NumPy's weak scalars)."""
        if isinstance(x, Tensor):
            return x
        if isinstance(x, (int, float)):
            return Tensor(np.asarray(x, dtype=like.data.dtype))
        return Tensor(x)

    def _accumulate(self, g: np.ndarray) -> None:
        """grad += g, keeping ``g`` itself as the first gradient when no one else can see it.

        subtle: a backward closure either computes a new array for its input
        (``grad * b``) or passes on the gradient it received (``a + b`` gives
        both inputs the same one). ``backward`` hands every closure a
        read-only gradient, so a writable ``g`` is a new array that may be
        kept, and a read-only one (passed on, a view of it, or a
        ``broadcast_to``) is copied before anyone adds into it.
        """
        g = np.asarray(g)                                         # a NumPy scalar becomes a 0-d array
        if self.grad is None:
            if g.shape != self.data.shape:
                g = np.broadcast_to(g, self.data.shape)           # read-only: copied below
            if g.dtype != self.data.dtype:
                g = g.astype(self.data.dtype)                     # a new array
            self.grad = g if g.flags.writeable else g.copy()
        else:
            self.grad += g

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}{grad})"

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return self.data.item()

    def detach(self) -> "Tensor":
        return Tensor(self.data)

    # --- elementwise arithmetic, with broadcasting ---------------------------
    def __add__(self, other):
        """out = a + b;  ∂out/∂a = 1, ∂out/∂b = 1 (summed over broadcast axes)."""
        other = Tensor.lift(other, self)
        out = Tensor.from_op(self.data + other.data, (self, other), "add")
        if out.requires_grad:
            def _backward(grad):
                if self.requires_grad:
                    self._accumulate(unbroadcast(grad, self.shape))
                if other.requires_grad:
                    other._accumulate(unbroadcast(grad, other.shape))
            out._backward = _backward
        return out

    def __mul__(self, other):
        """out = a · b;  ∂out/∂a = b, ∂out/∂b = a."""
        other = Tensor.lift(other, self)
        out = Tensor.from_op(self.data * other.data, (self, other), "mul")
        if out.requires_grad:
            def _backward(grad):
                a, b = self.data, other.data
                # --- exercise: mul_backward ---
                grad_a, grad_b = grad * b, grad * a
                # --- end exercise ---
                if self.requires_grad:
                    self._accumulate(unbroadcast(grad_a, self.shape))
                if other.requires_grad:
                    other._accumulate(unbroadcast(grad_b, other.shape))
            out._backward = _backward
        return out

    def __truediv__(self, other):
        """out = a / b;  ∂out/∂a = 1/b, ∂out/∂b = −a/b²."""
        other = Tensor.lift(other, self)
        out = Tensor.from_op(self.data / other.data, (self, other), "div")
        if out.requires_grad:
            def _backward(grad):
                if self.requires_grad:
                    self._accumulate(unbroadcast(grad / other.data, self.shape))
                if other.requires_grad:
                    g = -grad * self.data / (other.data * other.data)
                    other._accumulate(unbroadcast(g, other.shape))
            out._backward = _backward
        return out

    def __neg__(self):
        """out = −a;  ∂out/∂a = −1."""
        out = Tensor.from_op(-self.data, (self,), "neg")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(-grad)
            out._backward = _backward
        return out

    def __pow__(self, p):
        """out = a^p for a constant exponent p;  ∂out/∂a = p · a^(p−1)."""
        if not isinstance(p, (int, float)):
            raise TypeError(f"Tensor ** p takes a constant number p, got {type(p).__name__}: "
                            "a tensor exponent would need a gradient with respect to p")
        out = Tensor.from_op(self.data ** p, (self,), f"pow{p:g}")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(grad * p * self.data ** (p - 1))
            out._backward = _backward
        return out

    def __sub__(self, other):
        return self + (-Tensor.lift(other, self))

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return Tensor.lift(other, self) + (-self)

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Tensor.lift(other, self) / self

    # --- matrix product ------------------------------------------------------
    def __matmul__(self, other):
        """out = A @ B;  ∂L/∂A = ∂L/∂out @ Bᵀ,  ∂L/∂B = Aᵀ @ ∂L/∂out (1-D and 2-D)."""
        other = Tensor.lift(other, self)
        a, b = self.data, other.data
        if a.ndim not in (1, 2) or b.ndim not in (1, 2):
            raise ValueError(f"matmul takes 1-D or 2-D operands, got shapes {a.shape} @ {b.shape}")
        if a.shape[-1] != b.shape[0]:
            raise ValueError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}; the inner dimensions "
                f"{a.shape[-1]} and {b.shape[0]} must be equal (A's columns meet B's rows)")
        out = Tensor.from_op(a @ b, (self, other), "matmul")
        if out.requires_grad:
            def _backward(grad):
                A = a if a.ndim == 2 else a[None, :]            # (M, K): a 1-D operand as a matrix
                B = b if b.ndim == 2 else b[:, None]            # (K, N)
                G = grad.reshape(A.shape[0], B.shape[1])        # (M, N)
                # --- exercise: matmul_backward ---
                grad_A, grad_B = G @ B.T, A.T @ G
                # --- end exercise ---
                if self.requires_grad:
                    self._accumulate(grad_A.reshape(a.shape))
                if other.requires_grad:
                    other._accumulate(grad_B.reshape(b.shape))
            out._backward = _backward
        return out

    def __rmatmul__(self, other):
        return Tensor.lift(other, self) @ self

    # --- elementwise functions -----------------------------------------------
    def exp(self):
        """out = eᵃ;  ∂out/∂a = eᵃ = out."""
        e = np.exp(self.data)
        out = Tensor.from_op(e, (self,), "exp")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(grad * e)
            out._backward = _backward
        return out

    def log(self):
        """out = ln a;  ∂out/∂a = 1/a."""
        out = Tensor.from_op(np.log(self.data), (self,), "log")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(grad / self.data)
            out._backward = _backward
        return out

    def relu(self):
        """out = max(a, 0);  ∂out/∂a = 1 where a > 0, else 0 (0 at a = 0, as PyTorch)."""
        out = Tensor.from_op(np.maximum(self.data, 0), (self,), "relu")
        if out.requires_grad:
            def _backward(grad):
                a = self.data
                # --- exercise: relu_backward ---
                grad_a = grad * (a > 0)
                # --- end exercise ---
                self._accumulate(grad_a)
            out._backward = _backward
        return out

    # --- the backward pass ---------------------------------------------------
    def _topological_order(self) -> list:
        """Every tensor before the tensors computed from it (depth-first, post-order)."""
        order, seen, stack = [], {id(self)}, [(self, iter(self._parents))]
        while stack:  # iterative: a deep graph would hit Python's recursion limit
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p._parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self, gradient=None) -> None:
        """Fill ``.grad`` of every tensor this one depends on: ∂self/∂t.

        A scalar starts from ``∂self/∂self = 1``; a non-scalar needs the
        ``gradient`` of some scalar with respect to it (as in PyTorch).
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input "
                               "had requires_grad=True, or it was computed under no_grad()")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a non-scalar tensor of shape {self.shape} needs a gradient "
                    "argument of the same shape: only a scalar has an implied ∂self/∂self = 1")
            self._accumulate(np.ones_like(self.data))
        else:
            gradient = np.array(gradient, dtype=self.dtype)           # a copy: the caller keeps theirs
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient) needs shape {self.shape}, got {gradient.shape}")
            self._accumulate(gradient)
        for node in reversed(self._topological_order()):
            if node._backward is not None and node.grad is not None:
                # subtle: the closure gets the gradient as an argument instead of reading
                # out.grad, so it holds no reference to `out`; a reference cycle
                # out → closure → out would keep every step's arrays alive until
                # the garbage collector runs, and training would slow down. Read-only,
                # because a closure may pass it on unchanged (see _accumulate).
                node.grad.flags.writeable = False
                node._backward(node.grad)
                # Like PyTorch, only leaves keep .grad: an intermediate's gradient has
                # been passed on, and keeping it would double-count on a second backward.
                node.grad = None

    def graph(self):
        """The ops that produced this tensor, inputs first, with shapes and dtypes (see graph.py)."""
        from .graph import build_graph
        return build_graph(self)


def tensor(data, requires_grad: bool = False) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)
