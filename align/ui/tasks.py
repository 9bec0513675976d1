"""Long work of the page (translating or aligning a whole document) in a background thread.

Streamlit stops a running script when the user touches any widget; a 2,000-sentence translation
run inside the script would be lost that way. A task runs in its own thread instead, reports its
progress into a plain object the page polls, and saves its result (a new project) itself, so a
click elsewhere, a reload or a closed tab does not lose it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from align.errors import AlignError
from align.progress import Progress

log = logging.getLogger(__name__)


@dataclass
class Task:
    """One background task: how far it got, and its result or error message."""

    key: str
    label: str
    total: int
    done: int = 0
    state: str = "running"  # running, done, failed
    result: Any = None
    error: str = ""
    started: float = field(default_factory=time.monotonic)

    def progress(self, done: int, total: int | None) -> None:
        """The ``align.progress.Progress`` of the work: cumulative counts."""
        self.done = int(done)
        if total:
            self.total = max(int(total), 1)

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


class Tasks:
    """The tasks of this app process (shared by all sessions), by key."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def start(self, label: str, total: int, work: Callable[[Progress], Any]) -> Task:
        """Run ``work(progress)`` in a daemon thread; its return value becomes ``task.result``."""
        task = Task(key=uuid.uuid4().hex, label=label, total=max(total, 1))

        def run() -> None:
            try:
                task.result = work(task.progress)
                task.state = "done"
            except AlignError as err:
                task.error, task.state = str(err), "failed"
            except Exception as err:  # a bug: keep the traceback in the log, tell the page
                log.exception("background task %s failed", label)
                task.error, task.state = f"{label} failed: {err!r}", "failed"

        with self._lock:
            self._tasks[task.key] = task
        threading.Thread(target=run, name=f"align-task-{task.key[:8]}", daemon=True).start()
        return task

    def get(self, key: str) -> Task | None:
        with self._lock:
            return self._tasks.get(key)

    def forget(self, key: str) -> None:
        with self._lock:
            self._tasks.pop(key, None)
