"""Process memory: what a long-running process hands back to the system."""

from __future__ import annotations


def release_free_memory() -> None:
    """Hand the allocator's free memory back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Loading an index frees its intermediate objects (Chroma's rows, the texts the gate and BM25 were
    built from) but the C allocator keeps their pages: on the 93-document index, 117 MB of a
    serving process's 552 MB. A long-running process would carry them all its life.
    """
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
