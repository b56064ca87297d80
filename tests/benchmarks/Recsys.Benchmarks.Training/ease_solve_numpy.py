#!/usr/bin/python3
"""numpy+OpenBLAS peer of the ease-solve benchmark (run by EaseSolveBenchmark.cs; not part of any test run).

Reads an n x n row-major float32 SPD matrix, inverts it with LAPACK potrf + potri through scipy in float32 (and,
with --float64, in float64 as the accuracy reference), in place on one buffer as the managed solve does, and prints
one JSON line: phase timings, peak memory, which BLAS kernel ran, and max abs differences against the managed
inverse given with --compare. Needs only Debian's python3-numpy, python3-scipy (and python3-threadpoolctl to name
the kernel); installs nothing.
"""
import argparse
import json
import resource
import time

import numpy as np
from scipy.linalg import lapack


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        import contextlib
        import io
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            np.show_config()
        return {"show_config": text.getvalue()}
    keys = ("internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")
    return [{k: v for k, v in info.items() if k in keys} for info in threadpool_info()]


def peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def invert(a, potrf, potri):
    """Inverts the symmetric matrix in place; a.T is Fortran-ordered, so LAPACK works on the buffer itself."""
    cpu = time.process_time()
    start = time.perf_counter()
    factor, info = potrf(a.T, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        raise SystemExit(f"potrf info {info}")
    factored = time.perf_counter()
    inverse, info = potri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise SystemExit(f"potri info {info}")
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    # Fortran lower triangle = the row-major upper triangle of the returned (transposed) view; symmetric anyway.
    return inverse, factored - start, done - factored, cpu


def lower_rows(inverse, r0, r1):
    """Rows r0..r1 of the full symmetric inverse from the valid (Fortran-lower) triangle of inverse."""
    n = inverse.shape[0]
    rows = np.arange(r0, r1)[:, None]
    cols = np.arange(n)[None, :]
    return np.where(cols <= rows, inverse[r0:r1, :], inverse[:, r0:r1].T)


def max_abs(x, n):
    return max(float(np.max(np.abs(lower_rows(x, r0, min(n, r0 + 512))))) for r0 in range(0, n, 512))


def max_abs_difference(x, y, n, dtype=np.float64):
    worst = 0.0
    for r0 in range(0, n, 512):
        r1 = min(n, r0 + 512)
        worst = max(worst, float(np.max(np.abs(lower_rows(x, r0, r1).astype(dtype) - lower_rows(y, r0, r1).astype(dtype)))))
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--matrix", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--compare", help="the managed inverse, n x n row-major float32")
    parser.add_argument("--float64", action="store_true", help="also invert in float64 as the accuracy reference")
    args = parser.parse_args()
    n = args.n

    a = np.fromfile(args.matrix, dtype=np.float32).reshape(n, n)
    result = {"blas": blas_info(), "n": n, "numpy": np.__version__}
    inverse32, potrf_s, potri_s, cpu_s = invert(a, lapack.spotrf, lapack.spotri)
    result["float32"] = {"potrf_seconds": potrf_s, "potri_seconds": potri_s, "total_seconds": potrf_s + potri_s, "cpu_seconds": cpu_s,
                         "peak_bytes": peak_bytes(), "max_abs_inverse": max_abs(inverse32, n)}
    # threadpool_info after the solve shows the thread count OpenBLAS actually ran with.
    result["blas"] = blas_info()

    ours = None
    if args.compare:
        ours = np.memmap(args.compare, dtype=np.float32, mode="r", shape=(n, n))
        # ours is full and symmetric: its row-major lower triangle is the Fortran-lower one of ours.T.
        result["float32"]["max_abs_difference_to_managed"] = max_abs_difference(inverse32, ours.T, n)

    if args.float64:
        a64 = np.fromfile(args.matrix, dtype=np.float32).reshape(n, n).astype(np.float64)
        inverse64, potrf_s, potri_s, cpu_s = invert(a64, lapack.dpotrf, lapack.dpotri)
        result["float64"] = {"potrf_seconds": potrf_s, "potri_seconds": potri_s, "total_seconds": potrf_s + potri_s, "cpu_seconds": cpu_s,
                             "max_abs_inverse": max_abs(inverse64, n),
                             "max_abs_difference_numpy_float32": max_abs_difference(inverse32, inverse64, n)}
        if ours is not None:
            result["float64"]["max_abs_difference_managed_float32"] = max_abs_difference(ours.T, inverse64, n)

    print(json.dumps(result))


if __name__ == "__main__":
    main()
