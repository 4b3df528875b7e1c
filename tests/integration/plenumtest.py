"""Shared helpers for the integration tier: start the real daemon on a free loopback port with a
generated configuration, talk to it over real websockets, and read its log.

Run with Debian's /usr/bin/python3 (python3-websockets). No test here sleeps to wait for a
result: every wait is for a concrete event (a message, a closed socket, an HTTP status) with a
deadline that only bounds a failure."""
import asyncio
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websockets

SOURCE_DIR = os.environ.get("PLENUM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("PLENUM_BINARY", os.path.join(SOURCE_DIR, "build", "plenum"))
DEADLINE = 10.0  # seconds a single expected event may take before the test fails


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# The daemons' directories (configuration, log): removed when the test passes, kept when it
# fails (fail() or an uncaught exception), so the log can be read afterwards.
_DIRS = []
_FAILED = False


def fail(msg):
    global _FAILED
    _FAILED = True
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def _note_exception(kind, value, tb, _previous=sys.excepthook):
    global _FAILED
    _FAILED = True
    _previous(kind, value, tb)


sys.excepthook = _note_exception


def test_dir():
    """A temporary directory for this test, removed with the daemons' when it passes."""
    d = tempfile.mkdtemp(prefix="plenum-it-")
    _DIRS.append(d)
    return d


@atexit.register
def _remove_dirs():
    if _FAILED:
        for d in _DIRS:
            print("kept for the failure: %s" % d, file=sys.stderr)
        return
    for d in _DIRS:
        shutil.rmtree(d, ignore_errors=True)


def check(cond, msg):
    if not cond:
        fail(msg)


def parse_metrics(text):
    """Prometheus text format (what /metrics serves) as {name{labels}: int or float}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v) if "." in v else int(v)
    return out


class Daemon:
    """The real build/plenum, with [section] overrides merged into a minimal config."""

    def __init__(self, extra=None, base_path="/", valgrind=False, env=None):
        self.port = free_port()
        self.dir = test_dir()
        self.conf = os.path.join(self.dir, "plenum.conf")
        self.log_path = os.path.join(self.dir, "plenum.log")
        sections = {
            "http": {"listen": "127.0.0.1:%d" % self.port, "base_path": base_path},
            "media": {"addresses": "127.0.0.1"},
            "log": {"level": "debug", "target": "stderr"},
        }
        for sec, kv in (extra or {}).items():
            sections.setdefault(sec, {}).update(kv)
        self.sections = sections
        self.write_config()
        self.base_path = base_path
        self.valgrind = valgrind
        self.env = env  # the daemon's environment (None: ours)
        self.proc = None

    def write_config(self, sections=None):
        with open(self.conf, "w") as f:
            for sec, kv in (sections or self.sections).items():
                f.write("[%s]\n" % sec)
                for k, v in kv.items():
                    f.write("%s = %s\n" % (k, v))

    def start(self):
        self.log = open(self.log_path, "wb")
        cmd = [BINARY, "--config", self.conf]
        if self.valgrind:
            cmd = ["valgrind", "--leak-check=full", "--error-exitcode=99",
                   "--errors-for-leak-kinds=definite", "--log-file=" + self.log_path + ".vg"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        end = time.time() + (60 if self.valgrind else DEADLINE)
        while time.time() < end:
            if self.proc.poll() is not None:
                fail("daemon exited early with %d:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                if self.http_get("healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        fail("daemon did not answer /healthz:\n" + self.read_log())

    def url(self, path=""):
        return "http://127.0.0.1:%d%s%s" % (self.port, self.base_path, path)

    def ws_url(self):
        return "ws://127.0.0.1:%d%sws" % (self.port, self.base_path)

    def origin(self):
        return "http://127.0.0.1:%d" % self.port

    def http_get(self, path, headers=None, url=None):
        req = urllib.request.Request(url or self.url(path), headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=DEADLINE) as r:
                return r.status, r.headers, r.read()  # case-insensitive lookups
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def metrics(self):
        """GET /metrics as {name (with its labels): value}; integers stay int, a histogram's
        _sum (seconds) is a float."""
        st, _, body = self.http_get("metrics")
        check(st == 200, "/metrics answers 200, got %s" % st)
        return parse_metrics(body.decode())

    def read_log(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=DEADLINE):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            fail("daemon did not exit within %ss:\n%s" % (timeout, self.read_log()))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.send_signal(signal.SIGINT)  # second signal: exit without draining
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


class Client:
    """One websocket participant. recv() skips server pings (answering them) unless asked."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 1

    @classmethod
    async def connect(cls, daemon, origin=None, url=None, **kw):
        ws = await websockets.connect(url or daemon.ws_url(), origin=origin or daemon.origin(),
                                      max_size=None, ping_interval=None, **kw)
        return cls(ws)

    async def send(self, obj):
        await self.ws.send(json.dumps(obj) if not isinstance(obj, (str, bytes)) else obj)

    async def request(self, obj):
        obj = dict(obj)
        obj["id"] = self.next_id
        self.next_id += 1
        await self.send(obj)
        return obj["id"]

    async def recv(self, timeout=DEADLINE, keep_pings=False):
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
            msg = json.loads(raw)
            if msg.get("type") == "ping" and not keep_pings:
                await self.send({"type": "pong"})
                continue
            return msg

    async def expect(self, type_, timeout=DEADLINE, **fields):
        """Next message must be of this type (and carry these field values)."""
        msg = await self.recv(timeout)
        check(msg.get("type") == type_, "expected %s, got %r" % (type_, msg))
        for k, v in fields.items():
            check(msg.get(k) == v, "expected %s=%r in %r" % (k, v, msg))
        return msg

    async def until(self, type_, timeout=DEADLINE):
        """Skips other messages until one of this type arrives."""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            check(left > 0, "no %s message within %ss" % (type_, timeout))
            msg = await self.recv(left)
            if msg.get("type") == type_:
                return msg

    async def expect_error(self, code, req_id=None):
        msg = await self.expect("error")
        check(msg.get("code") == code, "expected error %s, got %r" % (code, msg))
        if req_id is not None:
            check(msg.get("id") == req_id, "error id %r != %r" % (msg.get("id"), req_id))
        check(isinstance(msg.get("message"), str) and msg["message"], "error without message")
        return msg

    async def join(self, room, name):
        rid = await self.request({"type": "join", "room": room, "name": name})
        msg = await self.expect("joined", id=rid)
        return msg

    async def closed(self, timeout=DEADLINE):
        """Waits for the server to close; returns the close code."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as e:
            return e.code
        except asyncio.TimeoutError:
            fail("connection not closed within %ss" % timeout)

    async def alive(self):
        """Proves the connection still works: a ping gets its pong."""
        rid = await self.request({"type": "ping"})
        while True:  # events of the room may come first
            m = await self.until("pong")
            if m.get("id") == rid:
                return

    async def close(self):
        await self.ws.close()


def run(coro_fn):
    """Entry point: runs the async test body and reports."""
    name = os.path.basename(sys.argv[0])
    asyncio.run(coro_fn())
    print("PASS: " + name)
