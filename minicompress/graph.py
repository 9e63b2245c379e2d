"""A printable view of the computation graph behind a tensor (``Tensor.graph()``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """One row of :meth:`Tensor.graph`: an op, its result shape and inputs."""

    index: int
    op: str
    shape: tuple
    dtype: str
    inputs: tuple  # indices of the input rows


class Graph(list):
    """The operations behind a tensor in topological order; prints as a table."""

    def __str__(self) -> str:
        lines = [f"{'#':>3}  {'op':<14}{'shape':<14}{'dtype':<9}inputs"]
        for n in self:
            ins = ", ".join(f"#{i}" for i in n.inputs) or "-"
            lines.append(f"{n.index:>3}  {n.op:<14}{str(n.shape):<14}{n.dtype:<9}{ins}")
        return "\n".join(lines)


def build_graph(t) -> Graph:
    """The ops that produced ``t``, inputs first, with shapes and dtypes."""
    order = t._topological_order()
    index = {id(x): i for i, x in enumerate(order)}
    return Graph(Node(i, x._op, x.shape, str(x.dtype), tuple(index[id(p)] for p in x._parents))
                 for i, x in enumerate(order))
