"""Ops that change a tensor's shape: sum, mean, max, reshape, transpose, indexing.

Each computes ``out`` and defines its backward right under it, as in
``autograd.py``; their backward rules all send the gradient back to the
input's shape: spread it (sum, mean), route it to the maxima (max), reshape
or permute it back, or scatter it (indexing). ``Tensor`` inherits them.
"""

from __future__ import annotations

import numpy as np


class ShapeOps:
    """Mixed into ``Tensor``; uses its ``data``, ``shape``, ``from_op`` and ``_accumulate``."""

    # --- reductions ----------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """out = Σ a over ``axis``;  ∂out/∂a_i = 1, so the gradient is spread back."""
        out = self.from_op(np.asarray(self.data.sum(axis=axis, keepdims=keepdims)), (self,), "sum")
        if out.requires_grad:
            def _backward(grad):
                g = grad if keepdims or axis is None else np.expand_dims(grad, axis)
                self._accumulate(np.broadcast_to(g, self.shape))
            out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        """out = (1/n) Σ a over ``axis``;  ∂out/∂a_i = 1/n."""
        n = self.data.size if axis is None else np.prod([self.shape[i] for i in np.atleast_1d(axis)])
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / n)

    def max(self, axis=None, keepdims=False):
        """out = max a over ``axis``; the gradient goes to the maximal entries.

        subtle: where several entries tie for the maximum, the gradient is split
        equally between them (PyTorch's ``amax`` does the same), so the
        gradient still sums to ``out.grad``.
        """
        m = self.data.max(axis=axis, keepdims=True)
        out = self.from_op(m if keepdims else np.asarray(np.squeeze(m, axis=axis)), (self,), "max")
        if out.requires_grad:
            def _backward(grad):
                hit = (self.data == m)
                share = hit / hit.sum(axis=axis, keepdims=True)
                g = grad if keepdims or axis is None else np.expand_dims(grad, axis)
                self._accumulate(share * g)
            out._backward = _backward
        return out

    # --- shape ---------------------------------------------------------------
    def reshape(self, *shape):
        """out = a viewed with a new shape; the gradient is reshaped back."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {self.shape} "
                             f"({self.data.size} values) into {tuple(shape)}") from None
        out = self.from_op(data, (self,), "reshape")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(grad.reshape(self.shape))
            out._backward = _backward
        return out

    def transpose(self, *axes):
        """out = a with axes permuted; the gradient takes the inverse permutation."""
        axes = tuple(reversed(range(self.ndim))) if not axes else axes
        out = self.from_op(self.data.transpose(axes), (self,), "transpose")
        if out.requires_grad:
            def _backward(grad):
                self._accumulate(grad.transpose(np.argsort(axes)))
            out._backward = _backward
        return out

    @property
    def T(self):
        return self.transpose()

    def __getitem__(self, index):
        """out = a[index] (slices or integer arrays); the gradient is scattered back.

        subtle: with integer arrays an element can be picked twice, so the
        scatter must add (``np.add.at``), not assign.
        """
        out = self.from_op(np.asarray(self.data[index]), (self,), "getitem")
        if out.requires_grad:
            def _backward(grad):
                g = np.zeros_like(self.data)
                np.add.at(g, index, grad)
                self._accumulate(g)
            out._backward = _backward
        return out
