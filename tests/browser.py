"""A headless Chromium driven over the DevTools protocol, with the standard library only.

    with Browser.launch(1440, 900) as b:          # None from find_chromium(): no browser here
        b.open(Path("run.html"))                  # waits for the page to say it is ready
        b.evaluate("descentPage.step")
        b.click(x, y); b.key("ArrowRight")
        b.screenshot(Path("page.png"))
        b.errors, b.requests                      # console errors and network requests seen so far

Chromium talks over a pipe (--remote-debugging-pipe: it reads commands on fd 3 and writes on fd 4,
each message JSON ended by a NUL byte). Nothing listens on a port. The browser is told to reach no
network at all (a proxy that does not exist, every host name unresolvable), so a page that tries
to fetch something fails loudly in ``requests`` and ``errors`` instead of reaching out.

Run as a script it takes a screenshot of a page: ``python -m tests.browser PAGE.html OUT.png [WxH]``.
"""
from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe")
TRAMPOLINE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "   # the pipes as fds
              "os.execv(sys.argv[3], sys.argv[3:])")                                           # 3 and 4, then Chromium
WAIT = 30.0               # [s] longest wait for the browser or the page before giving up (a failure, not a timing)


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome on this machine, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; a context manager that closes it."""

    def __init__(self, exe: str, width: int, height: int):
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()
        args = [exe, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"]
        self.proc = subprocess.Popen([sys.executable, "-c", TRAMPOLINE, str(to_chrome), str(from_chrome), *args],
                                     pass_fds=(to_chrome, from_chrome), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome)
        os.close(from_chrome)
        self._inbox: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._listen, daemon=True)
        self._reader.start()
        self._id, self.session = 0, None
        self.errors: list = []          # console errors and uncaught exceptions, as text
        self.requests: list = []        # URLs of every network request the page made
        self.size = (width, height)

    @classmethod
    def launch(cls, width: int = 1440, height: int = 900) -> "Browser":
        exe = find_chromium()
        if exe is None:
            raise BrowserError("no Chromium or Chrome on this machine")
        b = cls(exe, width, height)
        try:
            targets = b.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            b.session = b.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                b.send(f"{domain}.enable")
            b.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            b.close()
            raise
        return b

    # -- the protocol -------------------------------------------------------------------------------
    def _listen(self):
        buffer = b""
        while True:
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                self._inbox.put(None)
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for m in messages:
                self._inbox.put(json.loads(m))

    def _note(self, message: dict):
        """Keep what the page's events tell: errors and requests."""
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(d.get("exception", {}).get("description") or d.get("text"))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"{params['entry']['text']} {params['entry'].get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])

    def send(self, method: str, **params) -> dict:
        """Send one command (to the page once attached) and wait for its answer."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while True:
            try:
                answer = self._inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise BrowserError(f"no answer to {method} in {WAIT:.0f} s") from None
            if answer is None:
                raise BrowserError(f"the browser closed while waiting for {method}")
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            self._note(answer)

    # -- what a test does -----------------------------------------------------------------------------
    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str):
        """Poll until the expression is truthy; its value. (A guard against a hang, not a timing.)"""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise BrowserError(f"the page never reached: {what}")

    def open(self, path: Path):
        """Load a page from the disk (file://) and wait until it says it is ready (or failed)."""
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        state = self.wait_for("document.documentElement && document.documentElement.dataset.state",
                              "a ready or failed state")
        if state != "ready":
            raise BrowserError(f"the page failed: {self.evaluate('document.body.innerText')[:300]}; {self.errors}")

    def click(self, x: float, y: float):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            button = "none" if kind == "mouseMoved" else "left"
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button=button, clickCount=1)

    def key(self, key: str, code: int, shift: bool = False):
        """Press and release a key (``code``: its Windows virtual key code, e.g. 39 for ArrowRight)."""
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                      modifiers=8 if shift else 0)

    def screenshot(self, out: Path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(out).write_bytes(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._write, self._read):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    page, out = Path(sys.argv[1]), Path(sys.argv[2])
    w, h = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1440x900").split("x"))
    with Browser.launch(w, h) as b:
        b.open(page)
        for js in sys.argv[4:]:                   # optional: script to run first, e.g. "descentPage.show(40)"
            b.evaluate(js)
        b.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        b.screenshot(out)
        outside = [u for u in b.requests if u != page.resolve().as_uri() and not u.startswith("data:")]
        print(f"wrote {out}; errors: {b.errors or 'none'}; requests outside the page: {outside or 'none'}")
