"""A pool of long-lived worker processes, each under memory and time caps, that parse untrusted files.

Every worker sets RLIMIT_AS on itself and asks the kernel to kill it when its
parent dies, so neither a hostile file nor a killed build can take the
machine's memory or leave workers behind. A task that runs past its wall time
gets its worker killed; a worker that dies (or hits the memory cap) is replaced,
and the task is reported with the reason. The builder's process itself never
parses a file. A task that starts OCR (index.limits.ocr_starts) tells the parent
so, once, and its deadline moves to the longer OCR budget counted from its start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait

from index.limits import Limits, die_with_parent, when_ocr_starts

OK, FAILED = "ok", "failed"
OCR_STARTS = "ocr starts"  # a worker's message before its result: the task needs the OCR budget


def _serve(conn: Connection, func: Callable, limits: Limits, parent: int) -> None:
    """A worker's life: caps first, then one task at a time until the pipe closes."""
    die_with_parent(parent)
    _fresh_locks()
    limits.apply()
    told = [False]

    def ocr_starts() -> None:  # once a task: the parent's deadline is counted from the task's start
        if not told[0]:
            told[0] = True
            conn.send((OCR_STARTS, None))

    when_ocr_starts(ocr_starts)
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return  # the build is done
        told[0] = False
        try:
            outcome = (OK, func(*args))
        except MemoryError:
            outcome = (FAILED, f"over the memory limit of {limits.memory_mb} MB")
        except Exception as err:  # func is expected to catch its own; anything else costs one task
            outcome = (FAILED, f"could not parse: {type(err).__name__}: {err}")
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send((FAILED, f"over the memory limit of {limits.memory_mb} MB"))
        if outcome[0] == FAILED and "memory limit" in outcome[1]:
            return  # a process that ran out of memory is not trusted with the next file


class _Worker:
    def __init__(self, context, func: Callable, limits: Limits):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, func, limits, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task = None
        self.seconds = self.deadline = self.started = 0.0

    def give(self, task, seconds: float) -> None:
        self.started = time.monotonic()
        self.task, self.seconds, self.deadline = task, seconds, self.started + seconds
        self.conn.send(task)

    def extend(self, seconds: float) -> None:
        """The task may take `seconds` from its start, if that is longer than it had."""
        if seconds > self.seconds:
            self.seconds, self.deadline = seconds, self.started + seconds

    def stop(self, kill: bool = False) -> None:
        if kill and self.process.is_alive():
            self.process.kill()
        else:
            # an explicit goodbye: a closed pipe alone is not seen while forked siblings hold copies of it
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _context():
    """fork where there is one: workers start at once with the dictionaries already loaded (a spawned worker
    loads jieba again, seconds per build). The bot builds from a thread; see _fresh_locks for the cost."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _fresh_locks() -> None:
    """A fork copies locks as they were: one the bot's asking thread held at that moment would never be
    released in the worker. The only locks parsing takes are the tokeniser's; the worker gets new ones."""
    from index import tokenize

    tokenize._lock = threading.Lock()
    if tokenize.tokenizer.cache_info().currsize:
        tokenize.tokenizer().lock = threading.RLock()


def run_capped(func: Callable, tasks: Iterable[tuple], jobs: int, limits: Limits,
               seconds: Callable[[tuple], float] | None = None,
               ocr_seconds: Callable[[tuple], float] | None = None) -> Iterator[tuple[tuple, str, object]]:
    """(task, OK, result) or (task, FAILED, reason) for each task, in the order workers finish them.

    `func(*task)` runs in a worker; `seconds(task)` is its wall-time budget (default limits.seconds), and
    `ocr_seconds(task)` its budget from its start once it starts OCR (default: no more than `seconds`).
    """
    budget = seconds or (lambda task: limits.seconds)
    context = _context()
    pending = iter(tasks)
    workers = [_Worker(context, func, limits) for _ in range(max(1, jobs))]
    try:
        for worker in workers:
            task = next(pending, None)
            if task is not None:
                worker.give(task, budget(task))
        while any(w.task is not None for w in workers):
            busy = [w for w in workers if w.task is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=timeout)
            finished = []
            for worker in busy:
                if worker.conn in ready:
                    try:
                        status, value = worker.conn.recv()
                    except (EOFError, OSError):
                        status, value = FAILED, _death(worker)
                    except Exception as err:  # a half-written result: the worker is not trusted again
                        worker.process.kill()
                        status, value = FAILED, f"its parser process sent an unreadable result ({type(err).__name__})"
                    if status == OCR_STARTS:
                        if ocr_seconds is not None:
                            worker.extend(ocr_seconds(worker.task))
                        continue  # its result is still to come
                elif time.monotonic() >= worker.deadline:
                    status, value = FAILED, f"took longer than {worker.seconds:.0f} s to parse"
                else:
                    continue
                finished.append((worker, worker.task, status, value))
            for worker, _task, status, value in finished:
                worker.task = None
                if status == FAILED and not _still_usable(worker, value):
                    worker.stop(kill=True)
                    worker = _replace(workers, worker, _Worker(context, func, limits))
                nxt = next(pending, None)
                if nxt is not None:
                    worker.give(nxt, budget(nxt))  # before the caller stores the result: keep workers busy
            for _, task, status, value in finished:
                yield task, status, value
    finally:
        for worker in workers:
            worker.stop(kill=worker.task is not None)


def _still_usable(worker: _Worker, reason: str) -> bool:
    """A worker is replaced after a timeout, the memory cap, a death or a garbled result: only a file the
    parser itself refused leaves it fit for the next one."""
    return worker.process.is_alive() and not reason.startswith(("over the memory limit", "took longer", "its parser"))


def _replace(workers: list[_Worker], old: _Worker, new: _Worker) -> _Worker:
    workers[workers.index(old)] = new
    return new


def _death(worker: _Worker) -> str:
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    if code is not None and code < 0:
        return f"its parser process was killed by signal {-code} (out of memory?)"
    return f"its parser process died (exit code {code})"
