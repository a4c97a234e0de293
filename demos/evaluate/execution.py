"""Running the task grid: classical tasks on a local process pool while the LLM tasks run one
after the other in the main process (one model instance, calls serialized; parallel model runs
would only fight over the cores), or every task as a Ray task."""

from __future__ import annotations

import os
import signal
import time

from .grid import Task, objective_oracle, settings_for
from .oracle import run_objective_oracle


def load_backends(model: str, cloud_model: str | None):
    from wireless_agents.agents.models import load_model

    backend = load_model(model)
    cloud = None if cloud_model in (None, "solver") else load_model(cloud_model)
    return backend, cloud


def run_task(task: Task, on_event=None) -> dict:
    """Run one task's episode; returns its trace (with what scoring needs). The oracle of a
    scenario with a non-default objective is solved slot by slot instead (see :mod:`.oracle`)."""
    from wireless_agents.planners.episode import run_episode

    if task.planner == "oracle" and objective_oracle(task.scenario):
        return run_objective_oracle(task)
    s = settings_for(task.scenario, task.planner, task.seed)
    backend = cloud = None
    if task.uses_model:
        backend, cloud = load_backends(s["model"], s["cloud_model"] if s.get("cloud") else None)
    t0 = time.perf_counter()
    trace = run_episode(s, backend=backend, cloud_backend=cloud, on_event=on_event)
    trace["task_seconds"] = time.perf_counter() - t0
    return trace


def _quiet_worker() -> None:
    """Pool workers leave Ctrl-C to the main process (which cancels them), no tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _failed(on_fail, n: int, task: Task, exc: Exception) -> None:
    """A task raised: hand it to ``on_fail(n, task, exc)``, or re-raise without one."""
    if on_fail is None:
        raise exc
    on_fail(n, task, exc)


def run_local(all_tasks: list[Task], workers: int, on_done, on_event=None, on_fail=None) -> dict:
    """Classical tasks on a process pool of ``workers``, LLM tasks one by one in this process.

    The pool's workers are spawned (not forked from a process that may hold a model and its
    threads) and ignore Ctrl-C: the main process gets it, terminates them and re-raises.
    A task that raises goes to ``on_fail(n, task, exc)`` and the others run on (without
    ``on_fail`` the first failure ends the run); the results hold the finished tasks only.
    """
    import multiprocessing as mp

    results: dict[int, dict] = {}
    classical = [(n, t) for n, t in enumerate(all_tasks) if not t.uses_model]
    llm = [(n, t) for n, t in enumerate(all_tasks) if t.uses_model]
    if workers <= 1 or len(classical) <= 1:
        for n, t in classical + llm:
            try:
                results[n] = run_task(t, on_event if t.uses_model else None)
            except Exception as exc:  # noqa: BLE001 - one task's fault, the others run on
                _failed(on_fail, n, t, exc)
                continue
            on_done(t, results[n])
        return results
    pool = None
    try:  # Ctrl-C while the pool is still being built ends it too
        pool = mp.get_context("spawn").Pool(min(workers, len(classical)), initializer=_quiet_worker)
        pending = {n: pool.apply_async(run_task, (t,)) for n, t in classical}
        for n, t in llm:  # the model runs here while the pool works through the rest
            try:
                results[n] = run_task(t, on_event)
            except Exception as exc:  # noqa: BLE001 - one task's fault, the others run on
                _failed(on_fail, n, t, exc)
                continue
            on_done(t, results[n])
        while pending:
            for n in [n for n, r in pending.items() if r.ready()]:
                try:
                    results[n] = pending.pop(n).get()
                except Exception as exc:  # noqa: BLE001 - raised in the worker
                    _failed(on_fail, n, all_tasks[n], exc)
                    continue
                on_done(all_tasks[n], results[n])
            time.sleep(0.05)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return results


def run_ray(all_tasks: list[Task], address: str | None, on_done, on_fail=None) -> dict:
    """The same tasks as Ray tasks (a local Ray by default, ``address`` for a cluster); a task
    that raises goes to ``on_fail`` as in :func:`run_local`."""
    import ray

    started = False
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}
        ray.init(
            address=address, include_dashboard=False, log_to_driver=False,
            runtime_env={"env_vars": env} if env else None, logging_level="ERROR",
        )  # fmt: skip
        started = True
    try:
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        remote = ray.remote(max_retries=0)(run_task)
        refs = {}
        for n, t in enumerate(all_tasks):
            # an LLM task takes a whole (2-core) machine: its model calls and the classical
            # work around them would only contend with another model run on the same cores
            need = min(2.0, cpus) if t.uses_model else 1.0
            refs[remote.options(num_cpus=need).remote(t)] = (n, t)
        results: dict[int, dict] = {}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            n, t = refs[done[0]]
            try:
                results[n] = ray.get(done[0])
            except Exception as exc:  # noqa: BLE001 - the task's error, as Ray hands it on
                _failed(on_fail, n, t, exc)
                continue
            on_done(t, results[n])
        return results
    except BaseException:
        for r in refs if "refs" in locals() else ():
            ray.cancel(r, force=True)
        raise
    finally:
        if started:
            ray.shutdown()
