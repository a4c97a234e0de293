"""The checkpoint file of ``--checkpoint FILE``: one SQLite file, one LangGraph thread per run.

A file holds any number of runs. Each run gets its own thread (``episode-<n>``) and a row of
the ``wagents_runs`` table beside LangGraph's own tables: its number, the package version that
wrote it, when it started and the settings it was started with (so a run killed before its
first checkpoint can still be resumed). A resume takes the latest run, or the one named.

The file is read as plain data only: the state is JSON, and the serializer refuses any Python
object named in the file except the few LangGraph writes itself (see :class:`PlainData`), where
the default serializer would import and call whatever the file names. A run written by another
package version is refused (its state may mean something else); a corrupt, non-SQLite or
locked file is one :class:`CheckpointError` line. Nothing is created by a resume.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass

import ormsgpack
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

THREAD = "episode"
RUNS_TABLE = "wagents_runs"
# LangGraph's own tables in the file (langgraph-checkpoint-sqlite)
SAVER_TABLES = ("checkpoints", "writes")
# seconds an open waits for another process's write lock before it calls the file locked
LOCK_WAIT_S = 5.0
# the only Python objects a checkpoint may name: what LangGraph writes for an interrupt (the
# approval pause), its answer and the team's fan-out; everything else of ours is plain JSON
ALLOWED_OBJECTS = frozenset(
    {("langgraph.types", "Interrupt"), ("langgraph.types", "Command"), ("langgraph.types", "Send")}
)
_CONSTRUCTORS = (0, 1, 2)  # msgpack ext codes of a (module, name, args) constructor
_DELTA = 7  # LangGraph's delta snapshot: plain data inside


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used; the message is one line."""


class NothingToResume(CheckpointError):
    """``--resume`` without a checkpointed episode."""


class NotPlainData(CheckpointError):
    """The file names a Python object outside :data:`ALLOWED_OBJECTS`."""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wireless-agents")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


class PlainData(JsonPlusSerializer):
    """LangGraph's serializer, read back as plain data: msgpack of dicts, lists, numbers and
    strings, plus :data:`ALLOWED_OBJECTS`. Pickle, LangChain JSON revival and any other named
    object raise :class:`NotPlainData` (the default rebuilds whatever module.name the file says)."""

    def __init__(self):
        super().__init__(pickle_fallback=False, allowed_msgpack_modules=None)

    def loads_typed(self, data):
        type_, raw = data
        if type_ in ("null", "bytes", "bytearray"):
            return super().loads_typed(data)
        if type_ != "msgpack":
            raise NotPlainData(f"holds {type_!r} data, not plain data")
        refused: list[str] = []  # ormsgpack hides the hook's exception: keep its reason

        def guard(code: int, raw: bytes):
            try:
                return self._guard(code, raw, guard)
            except NotPlainData as exc:
                refused.append(str(exc))
                raise

        try:
            return ormsgpack.unpackb(raw, ext_hook=guard, option=ormsgpack.OPT_NON_STR_KEYS)
        except (ValueError, ormsgpack.MsgpackDecodeError):
            if refused:
                raise NotPlainData(refused[0]) from None
            raise

    def _guard(self, code: int, raw: bytes, hook):
        if code in _CONSTRUCTORS:
            tup = ormsgpack.unpackb(raw, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
            name = (str(tup[0]), str(tup[1])) if isinstance(tup, list | tuple) else ("?", "?")
            if name not in ALLOWED_OBJECTS:
                raise NotPlainData(f"names the Python object {'.'.join(name)}, not plain data")
        elif code != _DELTA:
            raise NotPlainData(f"holds a msgpack extension of type {code}, not plain data")
        # an allowed LangGraph type (or a delta of plain data): LangGraph's own strict hook
        return self._unpack_ext_hook(code, raw)


@dataclass(frozen=True)
class Run:
    """One run of a checkpoint file (a row of ``wagents_runs``)."""

    number: int
    thread_id: str
    version: str
    created: str
    settings: dict  # as started, before the intents were read (the state holds the rest)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class CheckpointFile:
    """An open checkpoint file: its runs and the LangGraph saver over it (``saver``)."""

    def __init__(self, path: str, conn: sqlite3.Connection):
        from langgraph.checkpoint.sqlite import SqliteSaver

        self.path = path
        self.conn = conn
        self.saver = SqliteSaver(conn, serde=PlainData())

    # -- reading -------------------------------------------------------------------------------
    def tables(self) -> set[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}

    def runs(self) -> list[Run]:
        if RUNS_TABLE not in self.tables():
            return []
        rows = self.conn.execute(
            f"SELECT run, thread_id, version, created, settings FROM {RUNS_TABLE} ORDER BY run"
        ).fetchall()
        return [Run(n, t, v, c, json.loads(s)) for n, t, v, c, s in rows]

    def state(self, run: Run) -> dict | None:
        """The run's last checkpointed state (None before its first node's checkpoint)."""
        try:
            tup = self.saver.get_tuple({"configurable": {"thread_id": run.thread_id}})
        except NotPlainData as exc:
            raise NotPlainData(f"checkpoint {self.path} {exc}: refusing to load it") from None
        except (ValueError, ormsgpack.MsgpackDecodeError) as exc:  # a blob that is not msgpack
            raise CheckpointError(f"checkpoint {self.path} holds a state that cannot be read "
                                  f"({_first_line(exc)})") from None  # fmt: skip
        values = {} if tup is None else dict(tup.checkpoint.get("channel_values") or {})
        # a run killed after LangGraph wrote its input, before its first node: no state yet
        return values if "settings" in values else None

    def pick(self, number: int | None = None) -> Run:
        """The run to resume: ``number``, or the latest; refuses another version's run."""
        tables = self.tables()
        runs = self.runs()
        if not runs:
            if set(SAVER_TABLES) & tables:  # LangGraph's tables without ours: an older version
                raise CheckpointError(
                    f"checkpoint {self.path} was written by another wireless-agents version "
                    f"(none recorded, before 0.1.0's per-run threads); this is "
                    f"{package_version()}: resume it with that version"
                )
            raise NothingToResume(f"no checkpointed episode in {self.path}")
        if number is None:
            run = runs[-1]
        else:
            run = next((r for r in runs if r.number == number), None)
            if run is None:
                have = ", ".join(str(r.number) for r in runs)
                raise NothingToResume(f"no run {number} in {self.path}; it holds runs {have}")
        if run.version != package_version():
            raise CheckpointError(
                f"checkpoint {self.path} run {run.number} was written by wireless-agents "
                f"{run.version}; this is {package_version()}: resume it with {run.version}"
            )
        return run

    def describe(self, run: Run) -> str:
        """``run 2 (slot 57 of 200)``: where a run stands."""
        state = self.state(run) or {}
        done = len(state.get("committed") or [])
        return f"run {run.number} (slot {done} of {run.settings.get('steps')})"

    # -- writing -------------------------------------------------------------------------------
    def check_new_run(self, force: bool) -> None:
        """A fresh run may start here: the file holds no run (or ``force``), and no foreign
        tables."""
        tables = self.tables()
        foreign = sorted(tables - {RUNS_TABLE, *SAVER_TABLES})
        if foreign:
            raise CheckpointError(
                f"{self.path} is an SQLite database of something else (tables "
                f"{', '.join(foreign)}); pick a new checkpoint file"
            )
        runs = self.runs()
        if force:
            return
        if runs:
            raise CheckpointError(
                f"checkpoint {self.path} already holds {self.describe(runs[-1])}: --resume it, "
                "add --force to start another run beside it (kept), or pick a new file"
            )
        if set(SAVER_TABLES) & tables:
            raise CheckpointError(
                f"checkpoint {self.path} holds a checkpoint of another wireless-agents version; "
                "add --force to start a run beside it, or pick a new file"
            )

    def new_run(self, settings: dict) -> Run:
        """Register a run: its own thread, this package's version, the settings given."""
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self.conn:
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (run INTEGER PRIMARY KEY, "
                "thread_id TEXT NOT NULL UNIQUE, version TEXT NOT NULL, created TEXT NOT NULL, "
                "settings TEXT NOT NULL)"
            )
            n = self.conn.execute(f"SELECT COALESCE(MAX(run), 0) + 1 FROM {RUNS_TABLE}").fetchone()
            number = int(n[0])
            thread = f"{THREAD}-{number}"
            self.conn.execute(
                f"INSERT INTO {RUNS_TABLE} VALUES (?, ?, ?, ?, ?)",
                (number, thread, package_version(), created, json.dumps(settings)),
            )
        return Run(number, thread, package_version(), created, json.loads(json.dumps(settings)))


@contextmanager
def open_checkpoint(path: str | os.PathLike, *, resume: bool):
    """Open ``path`` as a :class:`CheckpointFile`; every SQLite failure inside the block (a
    corrupt, non-SQLite or locked file) becomes one :class:`CheckpointError` line. A resume
    never creates the file."""
    path = str(path)
    if os.path.isdir(path):
        raise CheckpointError(f"checkpoint {path} is a folder, not a file")
    if resume and not os.path.exists(path):
        raise NothingToResume(f"no checkpoint file {path}")
    try:
        conn = sqlite3.connect(path, timeout=LOCK_WAIT_S, check_same_thread=False)
    except sqlite3.Error as exc:
        raise CheckpointError(f"checkpoint {path}: {_first_line(exc)}") from None
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock, now: a locked file fails here
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # an SQLite file?
            conn.rollback()
        except sqlite3.DatabaseError as exc:
            raise CheckpointError(_why(path, exc)) from None
        try:
            yield CheckpointFile(path, conn)
        except sqlite3.Error as exc:
            raise CheckpointError(_why(path, exc)) from None
    finally:
        conn.close()


def _why(path: str, exc: sqlite3.Error) -> str:
    text = _first_line(exc)
    if "locked" in text or "busy" in text:
        return f"checkpoint {path} is locked by another process ({text}); try again when it ends"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"checkpoint {path} is not a readable SQLite checkpoint ({text})"
    return f"checkpoint {path}: {text}"
