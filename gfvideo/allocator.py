"""The C allocator's settings for a ``gfvideo`` process: keep freed memory for the next iteration.

With glibc's defaults, a training iteration's activations (megabytes each) are handed back to the
kernel when they are freed and faulted in again, page by page and zeroed, by the next iteration:
on 2 CPU cores the demo spent 12% of its CPU time in the kernel (3% with these settings).
:func:`keep_freed_memory` raises glibc's thresholds so freed memory stays in the process for
reuse; the process then keeps its peak memory instead of shrinking between iterations. The
``gfvideo`` command calls it before any command runs (dataloader workers, forked, inherit it); the
values a computation gives do not change."""

from __future__ import annotations

import ctypes
import os
import sys

#: Set to ``0`` to leave the allocator as the C library configures it.
OPT_OUT_VARIABLE = 'GFVIDEO_KEEP_FREED_MEMORY'
#: glibc's own settings, which win over gfvideo's when the user sets any of them.
GLIBC_VARIABLES = ('GLIBC_TUNABLES', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_')

# mallopt parameters (<malloc.h>) and their values.
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap, not from their own mapping (glibc's ceiling on 64-bit).
MMAP_THRESHOLD_BYTES = 32 << 20
#: Free memory at the heap's top is handed back to the kernel only beyond this.
TRIM_THRESHOLD_BYTES = 1 << 30
#: The heap grows by this much beyond each request, so growth is rare.
TOP_PAD_BYTES = 1 << 30


def keep_freed_memory() -> bool:
    """Have glibc keep freed memory in the process; returns whether the settings took effect.

    Does nothing (and returns False) off Linux, where the C library has no ``mallopt`` (musl has a
    stub that refuses), when ``GFVIDEO_KEEP_FREED_MEMORY=0`` or when the user tunes glibc's
    allocator through its own environment variables.
    """
    if not sys.platform.startswith('linux') or os.environ.get(OPT_OUT_VARIABLE, '1') == '0':
        return False
    if any(name in os.environ for name in GLIBC_VARIABLES):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    settings = (
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
        (M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES),
        (M_TOP_PAD, TOP_PAD_BYTES),
    )
    return all([bool(mallopt(parameter, value)) for parameter, value in settings])  # a list: every one is set
