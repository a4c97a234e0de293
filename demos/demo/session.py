"""The demo's session: the episode in a worker thread, the dashboard and the keys in the main
thread, and the answers to the episode's approval pauses (step, run, approve, reject, override,
intents that go with the next answer, quit)."""

from __future__ import annotations

import queue
import sys
import threading

from .keys import END, RawKeys, terminal_size

KEYS = "s step  r run  p pause  a approve  x reject  o override  i intent  q quit"


class DemoQuit(Exception):
    """The person quit: unwinds the episode thread out of ``run_episode``."""


class Session:
    """One demo: the episode thread, the dashboard, the keys, the answers to the pauses.

    Everything on screen and every decision about an answer lives in the main thread; the
    episode thread only hands over events and requests (``inbox``) and waits for answers
    (``answers``).
    """

    def __init__(self, settings: dict, auto: bool = False, intents: list | None = None):
        from wireless_agents.demos.dashboard import Dashboard

        self.settings = settings
        self.auto = auto
        self.mode = "run" if auto else "step"
        self.dash = Dashboard(settings=settings)
        self.inbox: queue.Queue = queue.Queue()
        self.answers: queue.Queue = queue.Queue()
        self.quitting = threading.Event()
        self.request: dict | None = None
        self.intents: list[str] = list(intents or [])
        self.editing: str | None = None  # "intent" | "override" while a line is being typed
        self.line = ""
        self.note = ""
        self.slot = 0
        self.result: dict | None = None
        self.error: BaseException | None = None
        self.done = False
        self.closed = False  # q after the episode ended

    # -- the episode thread -----------------------------------------------------------------
    def _on_event(self, event: dict) -> None:
        if self.quitting.is_set():
            raise DemoQuit
        self.inbox.put(("event", event))

    def _approver(self, request: dict) -> dict:
        if self.quitting.is_set():
            raise DemoQuit
        self.inbox.put(("request", request))
        answer = self.answers.get()
        if answer is None:
            raise DemoQuit
        return answer

    def _episode(self, backend, cloud) -> None:
        from wireless_agents.planners.episode import run_episode

        try:
            self.result = run_episode(
                self.settings, backend=backend, cloud_backend=cloud,
                on_event=self._on_event, approver=self._approver,
            )  # fmt: skip
        except DemoQuit:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self.error = exc
        finally:
            self.inbox.put(("end", None))

    # -- the main thread --------------------------------------------------------------------
    def run(self, backend, cloud, live: bool = True) -> dict | None:
        worker = threading.Thread(target=self._episode, args=(backend, cloud), daemon=True)
        worker.start()
        if live:
            self._live_loop(worker)
        else:
            self._plain_loop(worker)
        worker.join()
        if self.error is not None:
            raise self.error
        return None if self.quitting.is_set() else self.result

    def _plain_loop(self, worker) -> None:
        """``--auto`` without a terminal: no keys, no redraws; the last frame at the end."""
        from rich.console import Console

        while not self.done:
            self._drain(timeout=0.2)
        console = Console()
        w, h = console.size
        console.print(self.dash.render(max(w, 80), 24))

    def _live_loop(self, worker) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console()
        keys = RawKeys(sys.stdin)
        last = None
        with keys, Live(console=console, screen=True, auto_refresh=False) as live:
            while True:
                try:
                    changed = self._drain(timeout=0.0)
                    for key in keys.read(0.1):
                        self._key(key)
                        changed = True
                    if keys.closed and not (self.closed or self.quitting.is_set()):
                        # no one is left to answer: nothing more is approved
                        self.closed = self.done
                        if not self.done:
                            self._quit()
                except KeyboardInterrupt:
                    self._key("q")
                    changed = True
                size = terminal_size(console)
                if changed or size != last:
                    self._status()
                    live.update(self.dash.render(*size), refresh=True)
                    last = size
                if self.done and (self.auto or self.closed or self.quitting.is_set()):
                    break
                if self.quitting.is_set() and not worker.is_alive():
                    break
        self._status()
        console.print(self.dash.render(terminal_size(console)[0], 24))

    def _drain(self, timeout: float) -> bool:
        """Take what the episode thread handed over; answer a pause at once when running."""
        changed = False
        try:
            kind, item = self.inbox.get(timeout=timeout) if timeout else self.inbox.get_nowait()
        except queue.Empty:
            return False
        while True:
            changed = True
            if kind == "event":
                self.dash.on_event(item)
                if item.get("type") == "slot":
                    self.slot = item["slot"]
            elif kind == "request":
                self.request = item
                self.dash.on_request(item)
                if self.mode == "run":
                    self._answer({"approved": True, "by": "auto" if self.auto else "run"})
            elif kind == "end":
                self.done = True
                if self.result is not None:
                    self.dash.on_done(self.result["summary"])
            try:
                kind, item = self.inbox.get_nowait()
            except queue.Empty:
                return changed

    def _answer(self, answer: dict) -> None:
        if self.request is None:
            return
        if self.intents:
            answer = {**answer, "intents": list(self.intents)}
            self.note = (f"sent {len(self.intents)} intent(s); the model reads them now, "
                         f"they hold from slot {self.request['slot'] + 1}")  # fmt: skip
            self.intents.clear()
        else:
            self.note = ""
        self.request = None
        self.answers.put(answer)

    def _quit(self) -> None:
        self.quitting.set()
        if self.request is not None:
            self.request = None
            self.answers.put(None)

    def _key(self, key: str) -> None:
        if key == END:  # end of input, even mid-line: a human check fails closed
            self.editing, self.line = None, ""
            if self.request is not None and not self.quitting.is_set():
                self._answer({"approved": False, "by": "end of input"})
                self.note = "end of input (Ctrl-D): plan rejected, last powers kept"
            return
        if self.editing:
            self._edit(key)
            return
        k = key.lower()
        if k == "q" and self.done:
            self.closed = True
        elif k == "q":
            self._quit()
        elif self.done or self.quitting.is_set():
            return
        elif k in ("s", " "):
            self.mode = "step"
            self._answer({"approved": True, "by": "user"})
        elif k == "r":
            self.mode = "run"
            self._answer({"approved": True, "by": "run"})
        elif k == "p":
            self.mode = "step"
        elif k in ("a", "\r", "\n"):
            self._answer({"approved": True, "by": "user"})
        elif k == "x":
            self._answer({"approved": False, "by": "user"})
        elif k == "i":
            self.editing, self.line = "intent", ""
        elif k == "o" and self.request is not None:
            self.editing, self.line = "override", ""

    def _edit(self, key: str) -> None:
        if key == "\x1b":
            self.editing, self.line = None, ""
        elif key in ("\x7f", "\x08"):
            self.line = self.line[:-1]
        elif key in ("\r", "\n"):
            what, text = self.editing, self.line.strip()
            self.editing, self.line = None, ""
            if what == "intent" and text:
                self.intents.append(text)
                self.note = f"intent queued, goes with the next answer: {text}"
            elif what == "override" and text:
                self._override(text)
        elif key.isprintable():
            self.line += key

    def _override(self, text: str) -> None:
        req = self.request
        if req is None:
            self.note = "no plan to override"
            return
        k = len(req["plan"])
        try:
            fr = [float(x) for x in text.replace(" ", ",").split(",") if x]
        except ValueError:
            fr = []
        if len(fr) != k or not all(0.0 <= f <= 1.0 for f in fr):
            self.note = f"override needs {k} fractions in [0, 1], e.g. " + ",".join(["0.5"] * k)
            return
        self.note = ""
        self._answer({"powers": [f * req["p_max"] for f in fr], "by": "user"})

    def _status(self) -> None:
        d = self.dash
        d.keys = "--auto: no keys" if self.auto else KEYS
        if self.quitting.is_set():
            d.status = "quitting after the model call under way"
        elif self.done:
            d.status = "done" + ("" if self.auto else ", q quits")
        elif self.request is not None:
            d.status = f"PAUSED: plan of slot {self.request['slot']}"
        elif self.mode == "run":
            d.status = f"RUNNING slot {self.slot}"
        else:
            d.status = f"STEP: slot {self.slot}, pauses at its plan"
        if self.editing == "intent":
            d.prompt = f"intent> {self.line}_  (Enter sends, Esc cancels)"
        elif self.editing == "override":
            k = len(self.request["plan"]) if self.request else 0
            d.prompt = f"powers ({k} fractions of p_max)> {self.line}_"
        elif self.intents:
            d.prompt = f"{len(self.intents)} intent(s) go with the next answer: {self.intents[-1]}"
        else:
            d.prompt = self.note
