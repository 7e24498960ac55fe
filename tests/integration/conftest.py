"""Shared fixtures for the integration tests: start the real stmkv-server binary and talk to it.

Every server listens on 127.0.0.1 only, on a free port, runs without a config file, is bounded in
time (start-up waits at most START_TIMEOUT seconds) and is stopped by its PID (SIGTERM, then
SIGKILL) at the end, even when a test fails (fixture finalizers and an atexit hook).

The binary: $STMKV_SERVER, else <repo>/build/src/stmkv-server.

Fixtures:
  server   module scope: a ServerProcess with 2 workers, shared by the tests of one file; at the
           end it must exit 0 on SIGTERM with no sanitizer report in its log.
  r        a redis.Redis client of `server` (closed after the test).
  prefix   a key prefix unique to the test ("<testname>:<random>:"), so tests sharing a server
           need no FLUSHALL.
Helpers: free_port(), RawRespClient (replies as raw bytes), reference_redis() (a redis-server
to compare with, for a module fixture).
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
import redis

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER_BIN = os.environ.get("STMKV_SERVER") or os.path.join(REPO_ROOT, "build", "src",
                                                            "stmkv-server")
START_TIMEOUT = 10.0  # seconds until the server must answer PING
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL

_live = set()  # ServerProcess instances still running (stopped at exit)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now (bind port 0, then release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port, timeout=0.5):
    """True when something on port answers a RESP PING with a reply line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = s.recv(64)
            return data[:1] in (b"+", b"-")
    except OSError:
        return False


class RawRespClient:
    """A minimal RESP client returning each reply's raw bytes (for byte-for-byte comparisons
    with redis-server)."""

    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            assert data, "connection closed"
            self.buf += data
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            assert data, "connection closed"
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _reply(self):
        line = self._line()
        t = line[:1]
        if t in (b"$", b"="):
            n = int(line[1:-2])
            return line if n < 0 else line + self._exact(n + 2)
        if t in (b"*", b"%", b"~", b">"):
            n = int(line[1:-2])
            if n < 0:
                return line
            parts = [line]
            for _ in range(n * (2 if t == b"%" else 1)):
                parts.append(self._reply())
            return b"".join(parts)
        return line

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._reply()


def reference_redis(env=None):
    """Debian's redis-server 7.0 on a free port with persistence off, for side-by-side tests:
    a generator for a module-scoped fixture (yields the port; stopped by PID). Skips the test
    when redis-server is not installed."""
    server_bin = shutil.which("redis-server")
    if server_bin is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="stmkv-ref-") as d:
        proc = subprocess.Popen([server_bin, "--port", str(port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--dir", d],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, **(env or {})))
        try:
            c = redis.Redis(port=port, socket_timeout=10)
            deadline = time.monotonic() + 10
            while True:
                try:
                    c.ping()
                    break
                except redis.ConnectionError:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.05)
            c.close()
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class ServerProcess:
    """One stmkv-server process. start() then use .port / .pid / .proc / .client(); stop()."""

    def __init__(self, binary=None):
        self.binary = binary or SERVER_BIN
        self.port = None
        self.proc = None
        self.args = []
        self._log = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, workers=2, extra_args=()):
        """Starts the server on a free port and waits until it answers PING (at most
        START_TIMEOUT seconds). Raises RuntimeError with the server's log if it does not."""
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("stmkv-server binary not found: %s (set STMKV_SERVER)" %
                               self.binary)
        last_error = None
        for _ in range(3):  # another process may grab the free port before we bind it
            self.port = free_port()
            # No save rules unless a test gives its own (`save` lines accumulate after the
            # clearing `save ""`): a SIGTERM would otherwise write dump.rdb into the shared
            # working directory and the next server would load it.
            self.args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                         "--workers", str(workers), "--save", ""] + [str(a) for a in extra_args]
            self._log = tempfile.TemporaryFile(prefix="stmkv-server-", suffix=".log")
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
            _live.add(self)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _ping(self.port):
                    return self
                time.sleep(0.05)
            log = self.log()
            self.stop()
            last_error = "stmkv-server did not start (%s):\n%s" % (" ".join(self.args), log)
            if "Address already in use" not in log:
                break
        raise RuntimeError(last_error)

    def log(self):
        """What the server wrote to stdout/stderr so far."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def client(self, **kw):
        """A redis-py client of this server (socket timeout 10 s unless given)."""
        kw.setdefault("socket_timeout", 10)
        kw.setdefault("socket_connect_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Sends sig (SIGTERM) to the PID, waits up to STOP_TIMEOUT seconds, then SIGKILLs it.
        Returns the exit status (negative: killed by that signal); None if never started."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        _live.discard(self)
        return self.proc.returncode


@atexit.register
def _stop_all():
    for s in list(_live):
        try:
            s.stop()
        except Exception as e:  # best effort at interpreter exit
            print("conftest: could not stop server %s: %s" % (s.pid, e), file=sys.stderr)


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                   "runtime error:")


def check_clean_exit(s):
    """Stops s and fails the test if it did not exit 0 on SIGTERM or a sanitizer complained."""
    rc = s.stop()
    log = s.log()
    bad = [m for m in SANITIZER_MARKS if m in log]
    if rc != 0 or bad:
        pytest.fail("stmkv-server (pid %s) exited with %s%s; log tail:\n%s" %
                    (s.pid, rc, " and " + ", ".join(bad) if bad else "", log[-4000:]))


@pytest.fixture(scope="module")
def server():
    s = ServerProcess()
    s.start(workers=2)
    yield s
    check_clean_exit(s)


@pytest.fixture
def r(server):
    c = server.client()
    yield c
    c.close()


@pytest.fixture
def prefix(request):
    return "%s:%s:" % (request.node.name, uuid.uuid4().hex[:8])
