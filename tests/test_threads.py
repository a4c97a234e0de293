"""Threads per model call (agents/backends/threads.py): every core of an idle machine, half of a
busy one, the same tokens either way."""

import subprocess
import sys
import time

import pytest
from wireless_agents.agents.backends.base import GenerationConfig
from wireless_agents.agents.backends.llama import LlamaCppBackend
from wireless_agents.agents.backends.threads import (
    THREADS_ENV,
    ThreadPicker,
    _machine_busy_s,
    usable_cpus,
)
from wireless_agents.agents.models import DEFAULT_MODEL, parse_model_spec

BUSY = "import time\nt = time.time()\nwhile time.time() - t < {s}: pass\n"


def _busy(seconds: float, n: int) -> list[subprocess.Popen]:
    """``n`` real processes, each keeping a core busy for ``seconds``."""
    return [subprocess.Popen([sys.executable, "-c", BUSY.format(s=seconds)]) for _ in range(n)]


def test_a_busy_machine_gets_half_the_cores():
    picker = ThreadPicker(cpus=usable_cpus())
    procs = _busy(0.6, 2)
    try:
        time.sleep(0.5)
        others = picker.others_cores()
        assert others is not None and others > 0.5  # two busy processes, seen as others'
        picker.pick()
    finally:
        for p in procs:
            p.wait()
    assert picker.threads == max(1, usable_cpus() // 2)
    assert sum(picker.counts.values()) == 1


def test_this_process_own_work_is_not_counted_as_the_machine_busy():
    picker = ThreadPicker(cpus=usable_cpus())
    start, t0, own0 = _machine_busy_s(), time.monotonic(), time.process_time()
    while time.process_time() - own0 < 0.5:  # our own CPU use, as a model call's would be
        pass
    others = picker.others_cores()
    wall = time.monotonic() - t0
    machine, own = (_machine_busy_s()[0] - start[0]) / wall, (time.process_time() - own0) / wall
    assert others is not None and own > 0.3
    assert others == pytest.approx(machine - own, abs=0.15)  # ours taken out, the rest others'


def test_where_proc_stat_shows_other_cpus_nothing_is_told_and_half_is_taken():
    picker = ThreadPicker(cpus=usable_cpus() + 1)  # /proc/stat counts fewer CPUs than this
    time.sleep(0.1)
    assert picker.others_cores() is None
    assert picker.pick() == max(1, (usable_cpus() + 1) // 2)


def test_one_and_two_threads_write_the_same_tokens(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    path = parse_model_spec(DEFAULT_MODEL).location
    schema = {"type": "object", "properties": {"power": {"type": "number"}}, "required": ["power"]}
    ask = [{"role": "user", "content": "Link 2 hears link 3 at -70 dBm. Pick a power from 0 to 1."}]
    cfg = GenerationConfig(max_tokens=16)
    texts = []
    for n in (1, 2):
        backend = LlamaCppBackend(name="s", kind="llama.cpp", model_path=path, n_threads=n)
        try:
            texts.append(backend.chat(ask, schema=schema, config=cfg).text)
            assert backend.threads == {}  # a fixed count: no picking
        finally:
            backend.close()
    assert texts[0] == texts[1] and texts[0]


@pytest.mark.parametrize("fixed", [None, "1"])
def test_the_backend_picks_per_call_unless_the_environment_fixes_it(monkeypatch, fixed):
    if fixed is None:
        monkeypatch.delenv(THREADS_ENV, raising=False)
    else:
        monkeypatch.setenv(THREADS_ENV, fixed)
    path = parse_model_spec(DEFAULT_MODEL).location
    backend = LlamaCppBackend(name="s", kind="llama.cpp", model_path=path)
    try:
        for _ in range(2):
            backend.chat(
                [{"role": "user", "content": "Hi."}], config=GenerationConfig(max_tokens=2)
            )
        if fixed is None:
            assert backend.n_threads is None
            assert sum(backend.threads.values()) == 2
            assert set(backend.threads) <= {usable_cpus(), max(1, usable_cpus() // 2)}
        else:
            assert backend.n_threads == 1 and backend.threads == {}
    finally:
        backend.close()


def test_back_to_the_default_threads_keeps_the_environments_count(model, monkeypatch):
    """``set_threads(None)`` returns to the default: ``$WAGENTS_THREADS`` when it is set (the
    cost benchmark's rows go back to the default between paths; the variable must fix them)."""
    assert isinstance(model, LlamaCppBackend)
    monkeypatch.setenv("WAGENTS_THREADS", "1")
    try:
        model.set_threads(None)
        assert model.n_threads == 1 and model.threads == {}  # fixed: no picker counting
    finally:
        monkeypatch.delenv("WAGENTS_THREADS")
        model.set_threads(None)
    assert model.n_threads is None  # picked per call again


def test_a_fixed_spell_keeps_the_picker_for_when_picking_resumes(model, monkeypatch):
    """The cost benchmark fixes the threads for today's replay, then picks again for the default
    path: the picker of before goes on (its next look spans the fixed calls); a new one would
    give the episode's first call half the cores, being too new to tell."""
    monkeypatch.delenv(THREADS_ENV, raising=False)
    model.set_threads(None)
    hi = [{"role": "user", "content": "Hi."}]
    model.chat(hi, config=GenerationConfig(max_tokens=2))
    picked = model.threads
    assert sum(picked.values()) >= 1
    model.set_threads(1)
    try:
        model.chat(hi, config=GenerationConfig(max_tokens=2))
        assert model.threads == {}  # fixed: nothing picked
    finally:
        model.set_threads(None)
    assert model.threads == picked  # the same picker, its counts kept
    model.chat(hi, config=GenerationConfig(max_tokens=2))
    assert sum(model.threads.values()) == sum(picked.values()) + 1
