"""Soak: a long checkpointed episode, killed with SIGKILL at random points and resumed, ends with
the trace of an uninterrupted run; and what memory and the checkpoint file do as slots grow.

Run ``python -m wireless_agents.demos.benchmarks.soak`` (both variants: a classical planner,
wmmse, over 200 slots, and the LLM team, K=3, one round, 20 slots; a few minutes) or with
``--only classical`` / ``--only llm``. Each variant runs ``wagents episode`` as a real process:
once uninterrupted, then with ``--checkpoint`` killed ``--kills`` times (at seeded random
slots) and resumed with ``--resume`` until it ends. Prints one markdown table: the slots at which it was killed, whether the final trace
equals the uninterrupted one (timings stripped), and peak memory (max RSS), trace size and
checkpoint file size at a quarter, half and all of the slots.

The test suite runs the classical kill/resume (tests/test_faults_work.py); the LLM variant
takes longer than a test should, so it is measured here instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the source tree (PYTHONPATH of the child runs)
VARIANTS = {
    # name: (episode flags, slots)
    "classical": (["--planner", "wmmse", "--agents", "4"], 200),
    "llm": (["--planner", "llm", "--agents", "3", "--rounds", "1", "--max-tokens", "32"], 20),
}
# the child prints its own peak memory (kB) on stderr at exit
_MEASURED = (
    "import resource, sys\n"
    "from wireless_agents.demos.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _cmd(*args) -> list[str]:
    return [sys.executable, "-c", _MEASURED, "episode", "--quiet", *map(str, args)]


def _slots(db: Path) -> int:
    """Slots recorded in ``db`` so far, all runs (read-only: the writer is not disturbed)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0) as c:
            q = "SELECT COUNT(DISTINCT checkpoint_id) FROM writes WHERE channel = 'steps'"
            return int(c.execute(q).fetchone()[0])
    except sqlite3.Error:
        return 0


def run(args: list, timeout: float = 3600) -> tuple[float, int]:
    """Run one episode process to its end: ``(wall seconds, peak RSS in kB)``."""
    t0 = time.perf_counter()
    r = subprocess.run(_cmd(*args), capture_output=True, text=True, env=_env(), timeout=timeout,
                       cwd=ROOT)  # fmt: skip
    if r.returncode != 0:
        raise RuntimeError(f"episode failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    rss = [int(x.split()[1]) for x in r.stderr.splitlines() if x.startswith("MAXRSS_KB")]
    return time.perf_counter() - t0, rss[-1]


def kill_and_resume(flags: list, db: Path, out: Path, kills: int, seed: int = 0) -> list[int]:
    """A checkpointed run of ``flags``, SIGKILLed ``kills`` times and resumed until it ends,
    its trace in ``out``. The kills come at seeded random slots (distinct, in the first 90% of
    the run), each as soon as that slot is recorded, wherever in the next slot the process is
    then. Returns the slots committed at each kill."""
    steps = int(flags[flags.index("--steps") + 1])
    targets = sorted(random.Random(seed).sample(range(1, max(kills + 1, int(0.9 * steps))), kills))
    at = []
    resume = ["--checkpoint", db, "--resume"]
    for k, target in enumerate(targets):
        args = [*flags, "--checkpoint", db] if k == 0 else resume
        err = tempfile.TemporaryFile(mode="w+")
        proc = subprocess.Popen(_cmd(*args), stdout=subprocess.DEVNULL, stderr=err, env=_env(),
                                cwd=ROOT)  # fmt: skip
        need = max(target, _slots(db) + 1)  # and progress: this process recorded a slot
        deadline = time.monotonic() + 1800
        while _slots(db) < need:
            if proc.poll() is not None or time.monotonic() > deadline:
                err.seek(0)
                raise RuntimeError(f"kill {k + 1}: the run ended or stalled before slot {need} "
                                   f"(exit {proc.poll()}): {err.read().strip()[-800:]}")  # fmt: skip
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        at.append(slots_done(db))
    run([*resume, "--out", out])
    return at


def slots_done(db: Path) -> int:
    from wireless_agents.planners.episode import saved_run

    return saved_run(str(db))[2]


def soak(name: str, kills: int = 3, seed: int = 0, folder: Path | None = None) -> dict:
    """One variant: the uninterrupted trace, the killed-and-resumed one, memory at 1/4, 1/2
    and all of the slots."""
    from wireless_agents.planners.episode import strip_timings

    flags, steps = VARIANTS[name]
    folder = Path(folder or tempfile.mkdtemp(prefix=f"soak-{name}-"))
    ref, out, db = folder / "ref.json", folder / "resumed.json", folder / "run.sqlite"
    memory = []
    for n in (steps // 4, steps // 2, steps):
        part = folder / f"part{n}.sqlite"
        wall, rss = run([*flags, "--steps", n, "--checkpoint", part,
                         "--out", ref if n == steps else folder / f"part{n}.json"])  # fmt: skip
        trace = (ref if n == steps else folder / f"part{n}.json").stat().st_size
        memory.append({"slots": n, "wall_s": wall, "max_rss_mb": rss / 1024,
                       "trace_mb": trace / 2**20, "checkpoint_mb": part.stat().st_size / 2**20})  # fmt: skip
    t0 = time.perf_counter()
    at = kill_and_resume([*flags, "--steps", steps], db, out, kills, seed)
    wall = time.perf_counter() - t0
    a, b = (strip_timings(json.loads(p.read_text())) for p in (ref, out))
    return {"variant": name, "slots": steps, "killed_at_slots": at, "same_trace": a == b,
            "killed_run_wall_s": wall, "memory": memory}  # fmt: skip


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=tuple(VARIANTS), default=None)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    names = [args.only] if args.only else list(VARIANTS)
    print(
        "| variant | slots | killed at slot | same trace | peak RSS MB at 1/4, 1/2, all "
        "slots | trace MB | checkpoint MB | wall s (uninterrupted) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        r = soak(name, args.kills, args.seed)
        m = r["memory"]
        print(f"| {name} | {r['slots']} | {r['killed_at_slots']} | {r['same_trace']} | "
              + ", ".join(f"{x['max_rss_mb']:.0f}" for x in m) + " | "
              + ", ".join(f"{x['trace_mb']:.2f}" for x in m) + " | "
              + ", ".join(f"{x['checkpoint_mb']:.1f}" for x in m) + f" | {m[-1]['wall_s']:.1f} |")  # fmt: skip
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
