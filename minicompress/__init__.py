"""minicompress: neural-network compression you can read, run, check and plot.

Importing the package loads only NumPy (and threadpoolctl, to give the BLAS
one thread: see ``threads.py``); matplotlib and the Numba kernels are
imported by the parts that use them.
"""

from .threads import configure as _configure_threads

_configure_threads()

from .autograd import Tensor, no_grad, tensor
from .gradcheck import gradcheck

__version__ = "0.1.0"
__all__ = ["Tensor", "no_grad", "tensor", "gradcheck", "__version__"]
