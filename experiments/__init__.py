"""The main job, the benchmark and their parts.

Importing the package sets one BLAS/OpenMP thread per process (unless the caller set otherwise):
runs parallelise over processes, and on a busy 2-core machine multi-threaded OpenBLAS made the
neural demand model's batch of 1,024 take 29.6 ms instead of 3.5 ms (measured with
``OPENBLAS_NUM_THREADS=1`` against the default, same script, same load).
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
