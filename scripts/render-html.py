#!/usr/bin/env python3
"""Render an HTML file in headless Chromium at a given width, as a phone or
a desktop mail client would show it, and measure it.

usage: scripts/render-html.py FILE.html WIDTH [OUT.png]

Prints one JSON object: the viewport width, the page's scroll width (more
than the viewport means the page overflows sideways), its height, the ids
of its elements (sections), and its visible text. With OUT.png, also writes
a screenshot of the whole page.

Why the DevTools protocol rather than `chromium --screenshot`: a desktop
window is never narrower than 500 px, so a 375 px phone can only be
emulated (Emulation.setDeviceMetricsOverride). The protocol is spoken over
a pipe (--remote-debugging-pipe), so nothing listens on a port and only
Python's standard library is needed. Debian's package is `chromium`.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

MEASURE = """JSON.stringify({
  innerWidth: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  scrollHeight: document.documentElement.scrollHeight,
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  text: document.body.innerText,
})"""


class Browser:
    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            sys.exit("render-html.py: chromium is not installed (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="docket-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
        ]

        def fds():
            # Chromium reads commands from fd 3 and answers on fd 4. Move
            # both out of the way first, so neither is overwritten.
            r, w = 100, 101
            os.dup2(to_chrome_r, r)
            os.dup2(from_chrome_w, w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            args, preexec_fn=fds, close_fds=False,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read())

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def render(path, width, out=None):
    b = Browser()
    try:
        target = b.call("Target.createTarget", url="about:blank")["targetId"]
        s = b.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        b.call("Emulation.setDeviceMetricsOverride", s, width=width, height=800,
               deviceScaleFactor=1, mobile=width < 600)
        b.call("Page.enable", s)
        b.call("Page.navigate", s, url="file://" + os.path.abspath(path))
        b.wait_event("Page.loadEventFired", s)
        r = b.call("Runtime.evaluate", s, expression=MEASURE, returnByValue=True)
        m = json.loads(r["result"]["value"])
        if out:
            shot = b.call("Page.captureScreenshot", s, format="png",
                          captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": width,
                                "height": m["scrollHeight"], "scale": 1})
            with open(out, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        return m
    finally:
        b.close()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    print(json.dumps(render(sys.argv[1], int(sys.argv[2]),
                            sys.argv[3] if len(sys.argv) == 4 else None)))
