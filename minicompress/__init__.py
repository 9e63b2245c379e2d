"""minicompress: neural-network compression you can read, run, check and plot.

Importing the package loads only NumPy; matplotlib and the Numba kernels are
imported by the parts that use them.
"""

from .autograd import Tensor, no_grad, tensor
from .gradcheck import gradcheck

__version__ = "0.1.0"
__all__ = ["Tensor", "no_grad", "tensor", "gradcheck", "__version__"]
