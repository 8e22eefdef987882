"""The process pool's life cycle: workers never outlive dstcheck, and a signal ends a run cleanly.

A worker blocked on its task pipe would otherwise survive a `kill -9` of its parent and keep the
parent's stdout open (`dstcheck check | cat` would never end). So each worker asks the kernel to
kill it when its parent dies (Linux), or watches its parent (elsewhere), and points its own
stdout and stderr away from the parent's. SIGINT and SIGTERM raise `Interrupted` in the parent
(one that arrives while a worker is being forked is held until the next result, as a raise
inside the fork hooks would be lost), which tears the pool down; the CLI then exits 130 or 143. Every file dstcheck writes is replaced
atomically, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_PENDING: list = []  # a signal that arrived after a worker was forked, before the next result
_FORKED = [False]


def _raise(signum, frame):
    if _FORKED[0]:  # the fork hooks (logging's among them) may be running: a raise there is printed and lost
        _PENDING.append(signum)
        return
    raise Interrupted(signum)


def raise_pending() -> None:
    """At a safe point of the parent (a result came back, the pool closed): raise the
    `Interrupted` of a signal that arrived since a worker was forked."""
    _FORKED[0] = False
    if _PENDING:
        raise Interrupted(_PENDING[0])


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: _FORKED.__setitem__(0, True))


def handle_signals() -> None:
    """Turn SIGINT and SIGTERM into `Interrupted` for the rest of this (main-thread) run."""
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        threading.Event().wait(0.5)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _start_worker(parent: int, initializer, initargs) -> None:
    _die_with_parent(parent)
    gc.disable()  # as in the parent's scan (pipeline._without_gc); a worker lives for one pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def pool(jobs: int, initializer=None, initargs=()):
    """A process pool (fork where available) that is torn down, workers killed, when the block
    raises, `Interrupted` included. Results and errors come back through the futures as usual."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if sys.platform.startswith("linux"):
        import ctypes  # noqa: F401  (loaded once here, not in every worker)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))
    try:
        yield executor
    except BaseException:
        _FORKED[0] = False
        executor.shutdown(wait=False, cancel_futures=True)
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
        raise
    else:
        executor.shutdown(wait=True)
        raise_pending()
