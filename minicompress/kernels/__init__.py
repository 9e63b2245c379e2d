"""Integer kernels, each jitted with Numba beside a readable NumPy twin.

One file per kernel family:

    cpu.py         what the code is compiled for (VNNI? AVX-512BW?): which tile runs, how requantize narrows
    gemm.py        C = A·B for int8 A, B with int32 accumulation
    layer.py       one int8 layer fused: GEMM, then bias, requantization and clamp on the tile's registers
    network.py     a whole int8 MLP in one call: each thread quantizes a strip of rows, then runs every layer
    microkernel.py gemm.py's fast engine: packing, a 4×16 register tile in LLVM IR (4×64 with AVX-512),
                   the output pipeline on the tile's registers (the one long file: see its note on Numba's cache)
    twins.py       microkernel.py's readable side: offline packing, epilogue constants, NumPy twins
    quantize.py    fused divide by q → round → clamp → cast
    requant.py     int32 → int8 with a fixed-point multiplier (gemmlowp / TFLite)
    pack.py        int4 and int2 codes packed two or four to a byte

Every kernel must give the same integers as its twin, bit for bit, and the
same again with ``NUMBA_DISABLE_JIT=1`` (then Numba runs the Python source
unchanged, which is slow but shows that the source itself is right; CI runs
the kernel tests that way on small inputs).

Numba traps, stated where they bite:

* Numba promotes small integers to int64 in arithmetic (``int8 * int8`` is an
  int64), while NumPy keeps int8 and wraps around. Code that relies on either
  behaviour silently differs in the other, so every kernel casts explicitly
  and stores its running sums back into int32 on purpose.
* ``parallel=True`` starts threads; on a 2-core machine that can cost more
  than it gains for small sizes, so the benchmark measures both.
* ``cache=True`` stores compiled code next to the module. A cached kernel that
  calls a jitted helper from *another* module is not recompiled when only the
  helper changes, and serves stale code; helpers therefore live in the same
  file as the kernels that call them.

* What LLVM makes of a loop decides the speed, and small changes flip it: a
  multiply-add loop in Python syntax became ``vpmaddwd`` only under conditions
  LLVM does not promise (each widened operand feeding one multiply, a forced
  vector width). The fast GEMM's register tile is therefore written in LLVM IR
  itself (``microkernel.py``), where the vectors are spelled out.
* An ``@intrinsic`` runs only compiled: with ``NUMBA_DISABLE_JIT=1`` the GEMM
  calls the tile's NumPy twin instead, so the JIT-off pass checks the drivers
  and the packing, and the tests compare the compiled tile with the twin.

This package imports only NumPy and Numba (and llvmlite, which Numba is built on,
to write the register tile's IR).
"""
