"""Helpers shared by bench/compare.py and bench/memory.py (python3 standard library only).

Servers listen on 127.0.0.1 only, on a free port, with persistence off; start-up waits at most
START_TIMEOUT seconds for PING, and stop() sends SIGTERM, then SIGKILL after STOP_TIMEOUT, by PID.
Every started server is also stopped at interpreter exit and on SIGTERM/SIGHUP (turned into
SystemExit so that finally blocks run).
"""
import atexit
import os
import platform
import shutil
import signal
import socket
import subprocess
import tempfile
import time

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

_live = set()


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def install_signal_handlers():
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)


def _stop_all():
    for srv in list(_live):
        srv.stop()


atexit.register(_stop_all)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    """One command in RESP (bytes)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A minimal blocking RESP2 client: command() sends one command and returns its reply
    (str for simple strings and bulk strings, int, list, None; errors raise RuntimeError)."""

    def __init__(self, port, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0  # start of the unread part of buf

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf = self.buf[self.pos:] + data
        self.pos = 0

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self._fill()

    def read_reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return data.decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise RuntimeError("unexpected reply %r" % line)

    def command(self, *args):
        self.sock.sendall(encode(*args))
        return self.read_reply()

    def pipeline(self, payload, count):
        """Sends payload (count commands) and reads count replies; returns the number of error
        replies. Sends in one go: keep payloads to a few MB."""
        self.sock.sendall(payload)
        errors = 0
        for _ in range(count):
            try:
                self.read_reply()
            except RuntimeError:
                errors += 1
        return errors


def _ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64)[:1] in (b"+", b"-")
    except OSError:
        return False


class Server:
    """One server process. kind: 'stmkv' or 'redis'. args: extra arguments."""

    def __init__(self, name, kind, binary, args=()):
        self.name = name
        self.kind = kind
        # Absolute: the server runs in its own temporary directory.
        self.binary = os.path.abspath(binary) if os.sep in binary else (
            shutil.which(binary) or binary)
        self.extra = [str(a) for a in args]
        self.port = None
        self.proc = None
        self.log = None
        self.dir = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command_line(self, port):
        # Persistence off for both (redis-server and stmkv read the same options).
        # Its own empty directory: no dump.rdb or appendonly file of someone else is loaded.
        return ([self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no", "--dir", self.dir] + self.extra)

    def start(self):
        last = ""
        for _ in range(3):  # another process may take the free port before the server binds it
            self.port = free_port()
            self.dir = tempfile.mkdtemp(prefix="bench-%s-" % self.name)
            self.log = tempfile.NamedTemporaryFile(prefix="bench-%s-" % self.name,
                                                   suffix=".log", delete=False)
            self.proc = subprocess.Popen(self.command_line(self.port), stdout=self.log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=self.dir)
            _live.add(self)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.proc.poll() is None:
                if _ping(self.port):
                    return self
                time.sleep(0.05)
            last = self._log_text()
            self.stop()
        raise RuntimeError("%s did not start (%s):\n%s" % (self.name, self.binary, last))

    def _log_text(self):
        try:
            with open(self.log.name, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _live.discard(self)
        self.proc = None
        if self.log:
            self.log.close()
            try:
                os.unlink(self.log.name)
            except OSError:
                pass
            self.log = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        """utime + stime of the whole process (all threads), from /proc/PID/stat."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state): utime is field 14, stime field 15.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def memory(self):
        """RSS (VmRSS of /proc/PID/status) and the smaps_rollup figures, in bytes."""
        out = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss"] = int(line.split()[1]) * 1024
        try:
            with open("/proc/%d/smaps_rollup" % self.pid) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[2] == "kB":
                        key = parts[0].rstrip(":").lower()
                        out["smaps_" + key] = int(parts[1]) * 1024
        except OSError:
            pass
        return out


def run_bounded(argv, timeout, stdout_path=None):
    """Runs argv with stdout (and stderr) to a file, bounded in time. Returns (rc, output,
    client_cpu_seconds, wall_seconds, timed_out); the CPU comes from wait4's rusage of that
    child alone."""
    with tempfile.TemporaryFile() as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = t0 + timeout
        timed_out = False
        try:
            while True:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    proc.kill()
                    pid, status, ru = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.01)
        except BaseException:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            raise
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return proc.returncode, text, ru.ru_utime + ru.ru_stime, wall, timed_out


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ""
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "loadavg_at_start": load}


def git_commit(repo):
    try:
        out = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", repo, "status", "--short", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        if out.returncode != 0 or not out.stdout.strip():
            return "unknown"
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
