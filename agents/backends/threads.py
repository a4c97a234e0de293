"""How many CPU threads a model call gets: every core of an idle machine, half of a busy one.

llama.cpp's (and torch's) threads meet at a barrier after every layer, so a thread that another
process keeps off its core stalls the rest. Measured on the 2-core machine with the same SmolLM2
prompts (llama-cpp-python 0.3.36, 331-token prefill, then one-token decode steps):

=====================================  =================  =================
machine                                1 thread            2 threads
=====================================  =================  =================
idle (load 0.4-0.6)                    184-190 / 84-91     347-367 / 92-101
one other busy process                 176-181 / 96-101    153-166 / 31-41
five other busy processes (load 7)     13 / 6.1            12 / 6.5
=====================================  =================  =================

(prefill / decode tokens per second.) On an idle machine both cores nearly double the prefill,
which is most of an agent's call; with one other busy process they lose, the decode steps three
times over. An earlier llama-cpp-python under heavy load gave 43.5 tok/s with one thread and
0.3 with two. Hence :class:`ThreadPicker`: before each call it looks at how much CPU the
machine's other processes used since its last look (Linux ``/proc/stat`` minus this process's
own ``os.times``), and takes every usable core while they used less than :data:`IDLE_CORES`,
else half. The choice changes only how fast a call runs, never what it computes: ggml splits a
layer's rows between threads, so 1 and 2 threads give the same tokens (the quick start's trace
is identical, and a test checks one prompt). ``$WAGENTS_THREADS`` (or a backend's
``n_threads``) fixes the count instead. Where ``/proc/stat`` does not show exactly this
process's usable CPUs (another OS, a container whose ``/proc`` shows the host), nothing can be
told about them, and every call gets half.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from wireless_agents.agents.backends.base import BackendError

THREADS_ENV = "WAGENTS_THREADS"
IDLE_CORES = 0.25  # other processes may use this much CPU (in cores) and we still take them all
MIN_WINDOW_S = 0.05  # a shorter look tells nothing: the choice before it stands


def usable_cpus() -> int:
    """The logical CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return os.cpu_count() or 1


def fixed_threads() -> int | None:
    """``$WAGENTS_THREADS`` as a thread count, or None when it is not set; a value that is
    not a positive integer raises :class:`BackendError`."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BackendError(f"{THREADS_ENV} must be a positive integer, got {raw!r}")
    return int(raw)


def default_threads() -> int:
    """A fixed thread count: ``$WAGENTS_THREADS`` if set, else half the usable logical CPUs
    (llama.cpp's own advice, physical cores, and llama-cpp-python's server default). The
    transformers backend uses it; the llama.cpp backend picks per call (:class:`ThreadPicker`)."""
    fixed = fixed_threads()
    return fixed if fixed is not None else max(1, usable_cpus() // 2)


def _machine_busy_s() -> tuple[float, int] | None:
    """CPU seconds all processes of the machine have used (``/proc/stat``'s first line: user,
    nice, system, irq, softirq, steal) and how many CPUs it counts; None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    fields = lines[0].split() if lines else []
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    n_cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK"), n_cpus


def _own_busy_s() -> float:
    """CPU seconds this process (all its threads) has used."""
    t = os.times()
    return t.user + t.system


@dataclass
class ThreadPicker:
    """Threads for the next model call (see the module): all ``cpus`` while the machine's
    other processes used under ``idle_cores`` of CPU since the last look, else half.

    ``threads`` is the last choice (half until the first look that can tell); ``counts`` how
    many calls got each thread count.
    """

    cpus: int = field(default_factory=usable_cpus)
    idle_cores: float = IDLE_CORES
    threads: int = 0
    counts: dict = field(default_factory=dict)
    _last: tuple | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.threads = max(1, self.cpus // 2)
        self._last = self._look()

    def _look(self) -> tuple[float, float, float] | None:
        machine = _machine_busy_s()
        if machine is None or machine[1] != self.cpus:
            return None  # /proc/stat does not show our CPUs: nothing to tell from it
        return time.monotonic(), machine[0], _own_busy_s()

    def others_cores(self) -> float | None:
        """Cores the other processes used, on average, since the last look (None: unknown,
        or too short a window); the look becomes the next one's start."""
        now = self._look()
        if now is None:
            self._last = None
            return None
        last = self._last
        if last is None or now[0] - last[0] < MIN_WINDOW_S:
            if last is None:
                self._last = now
            return None
        self._last = now
        wall = now[0] - last[0]
        return max(0.0, (now[1] - last[1]) - (now[2] - last[2])) / wall

    def pick(self) -> int:
        """The thread count for the call about to run (and counted as such)."""
        others = self.others_cores()
        if others is not None:
            self.threads = self.cpus if others < self.idle_cores else max(1, self.cpus // 2)
        self.counts[self.threads] = self.counts.get(self.threads, 0) + 1
        return self.threads
