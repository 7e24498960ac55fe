"""redis-cli against stmkv: one-shot commands, --no-raw formatting, stdin, --pipe, --scan,
--bigkeys, COMMAND DOCS, and interactive use with hints under a pseudo-terminal.

Where the output depends only on the server's replies it is compared byte for byte with the
output of the same redis-cli invocation against Debian's redis-server 7.0 (started here on a free
port and stopped by PID).
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import socket
import struct
import subprocess
import termios
import time

import pytest

REDIS_CLI = shutil.which("redis-cli")
REDIS_SERVER = shutil.which("redis-server")
TIMEOUT = 10

pytestmark = pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli is not installed")


def cli(port, *args, stdin=None):
    p = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *map(str, args)],
                       input=stdin, capture_output=True, timeout=TIMEOUT,
                       env=dict(os.environ, REDISCLI_HISTFILE="/dev/null"))
    return p.returncode, p.stdout.decode(errors="replace")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def reference():
    """Debian's redis-server 7.0 on a free port; yields its port."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT
    while cli(port, "ping")[1] != "PONG\n":
        assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield port
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(TIMEOUT)


@pytest.fixture
def both(server, reference):
    """Both servers flushed; yields (stmkv port, redis port)."""
    for port in (server.port, reference):
        assert cli(port, "flushall") == (0, "OK\n")
    return server.port, reference


def same(ports, *args, stdin=None):
    """Runs redis-cli with the same arguments against both servers; asserts equal output."""
    mine, ref = (cli(p, *args, stdin=stdin) for p in ports)
    assert mine == ref, (args, mine, ref)
    return mine[1]


def test_ping(server):
    assert cli(server.port, "ping") == (0, "PONG\n")
    assert cli(server.port, "-r", "3", "ping") == (0, "PONG\nPONG\nPONG\n")


def test_no_raw_formatting_matches_redis(both):
    for args in (["set", "k", "hello world"], ["set", "n", "10"], ["set", "e", ""]):
        same(both, *args)
    assert same(both, "--no-raw", "get", "k") == '"hello world"\n'
    assert same(both, "--no-raw", "get", "nokey") == "(nil)\n"
    assert same(both, "--no-raw", "incr", "n") == "(integer) 11\n"
    assert same(both, "--no-raw", "get", "e") == '""\n'
    assert same(both, "--no-raw", "mget", "k", "nokey", "n") == '1) "hello world"\n2) (nil)\n3) "11"\n'
    assert same(both, "--no-raw", "incr", "k") == (
        "(error) ERR value is not an integer or out of range\n")
    same(both, "--no-raw", "set", "b", "\x01\xff")
    same(both, "--no-raw", "get", "b")
    same(both, "--no-raw", "ping")
    same(both, "--no-raw", "exists", "k", "n", "nokey")
    same(both, "--no-raw", "lcs", "k", "n", "idx")
    same(both, "--no-raw", "bitfield", "bf", "set", "u8", "0", "200", "get", "i8", "0")
    same(both, "--no-raw", "ttl", "k")
    same(both, "--no-raw", "object", "encoding", "n")
    same(both, "--no-raw", "nosuchcommand", "x")
    same(both, "--no-raw", "get")
    # The default (raw, since stdout is not a terminal) output.
    assert same(both, "mget", "k", "nokey") == "hello world\n\n"
    assert same(both, "get", "nokey") == "\n"


def test_resp3_output_matches_redis(both):
    same(both, "set", "k", "v")
    assert same(both, "-3", "--no-raw", "get", "nokey") == "(nil)\n"
    same(both, "-3", "--no-raw", "mget", "k", "nokey")
    same(both, "-3", "--no-raw", "config", "get", "databases")
    same(both, "-3", "--no-raw", "incrbyfloat", "f", "1.5")


def test_stdin_commands(server, both):
    script = b"SET a 1\nGET a\nINCR a\nINCRBY a 10\nMSET x 1 y 2\nMGET x y nokey\nDEL a x y\n"
    out = same(both, stdin=script)
    assert out == "OK\n1\n2\n12\nOK\n1\n2\n\n3\n"
    # -x: the last argument comes from stdin.
    assert same(both, "-x", "set", "fromstdin", stdin=b"payload\n") == "OK\n"
    assert same(both, "get", "fromstdin") == "payload\n\n"
    assert cli(server.port, "strlen", "fromstdin") == (0, "8\n")


def test_pipe_mass_insertion(server):
    cli(server.port, "flushall")
    lines = []
    for i in range(1000):
        k, v = b"pipe:%d" % i, b"value-%d" % i
        lines.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
    lines.append(b"*2\r\n$4\r\nINCR\r\n$9\r\npipe:9999\r\n")
    rc, out = cli(server.port, "--pipe", stdin=b"".join(lines))
    assert rc == 0, out
    assert "errors: 0, replies: 1001" in out, out
    assert cli(server.port, "dbsize") == (0, "1001\n")
    assert cli(server.port, "get", "pipe:123") == (0, "value-123\n")


def test_scan_and_bigkeys(server, both):
    stmkv_port, _ = both
    for port in both:
        cli(port, "mset", *sum((["user:%d" % i, "x" * i] for i in range(1, 60)), []))
        cli(port, "set", "other", "o")
    rc, out = cli(stmkv_port, "--scan", "--pattern", "user:*")
    assert rc == 0
    assert sorted(out.split()) == sorted("user:%d" % i for i in range(1, 60))
    rc, out = cli(stmkv_port, "--scan")
    assert len(out.split()) == 60
    rc, out = cli(stmkv_port, "--bigkeys")
    assert rc == 0, out
    assert "Biggest string found '\"user:59\"' has 59 bytes" in out, out
    assert "60 keys with 60 types" not in out
    assert "60 strings with" in out, out


def _command_docs(port, name):
    """COMMAND DOCS <name> through a raw socket, parsed into Python values."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    f = s.makefile("rb")
    try:
        s.sendall(b"*3\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n$%d\r\n%s\r\n" % (len(name), name))

        def read():
            line = f.readline()
            t, rest = line[:1], line[1:-2]
            if t == b"*":
                return [read() for _ in range(int(rest))]
            if t == b"$":
                n = int(rest)
                return None if n < 0 else f.read(n + 2)[:-2].decode()
            if t == b":":
                return int(rest)
            if t == b"+":
                return rest.decode()
            raise AssertionError(line)
        return read()
    finally:
        f.close()
        s.close()


def _as_dict(flat):
    return dict(zip(flat[::2], flat[1::2]))


def _arg_shape(args):
    """(name, type, token, flags, children) of each argument, recursively. The names of oneof
    and block groups are left out: stmkv derives them from the syntax line ("nx_xx" where Redis
    says "condition"); clients show the members' tokens and names, not the group's."""
    out = []
    for a in args:
        d = _as_dict(a)
        grouped = d.get("type") in ("oneof", "block")
        out.append((None if grouped else d.get("name"), d.get("type"), d.get("token"),
                     tuple(sorted(d.get("flags") or [])),
                     tuple(_arg_shape(d.get("arguments", [])))))
    return out


@pytest.mark.parametrize("name", [b"get", b"set", b"getex", b"expire", b"client"])
def test_command_docs_shape_matches_redis(server, reference, name):
    mine, ref = _command_docs(server.port, name), _command_docs(reference, name)
    assert isinstance(mine, list) and len(mine) == 2 and mine[0] == name.decode(), mine
    mdoc, rdoc = _as_dict(mine[1]), _as_dict(ref[1])
    for field in ("summary", "since", "group", "complexity"):
        assert field in mdoc, (name, field, mdoc)
        assert mdoc[field] == rdoc[field], (name, field, mdoc[field], rdoc[field])
    if "arguments" in rdoc:
        assert "arguments" in mdoc, (name, mdoc)
        assert _arg_shape(mdoc["arguments"]) == _arg_shape(rdoc["arguments"]), name
    if "subcommands" in rdoc:
        assert "subcommands" in mdoc, (name, mdoc)
    # redis-cli shows COMMAND DOCS the same way.
    assert cli(server.port, "command", "docs", name.decode())[1].startswith(
        name.decode() + "\nsummary\n")


def test_command_count_info_list(server, reference):
    rc, out = cli(server.port, "command", "count")
    assert rc == 0 and int(out) > 50
    rc, listing = cli(server.port, "command", "list")
    names = set(listing.split())
    # COMMAND LIST also names subcommands ("client|list"); COMMAND COUNT only commands.
    assert len({n for n in names if "|" not in n}) == int(out)
    assert "client|list" in names and "config|get" in names
    for required in ("get", "set", "ping", "client", "config", "info", "scan", "bitfield_ro"):
        assert required in names
    assert cli(server.port, "--no-raw", "command", "info", "get")[1] == \
        cli(reference, "--no-raw", "command", "info", "get")[1]


class Pty:
    """redis-cli in interactive mode on a pseudo-terminal of 24x200."""

    def __init__(self, port):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm", REDISCLI_HISTFILE="/dev/null",
                              REDISCLI_RCFILE="/dev/null")
            os.execvp(REDIS_CLI, [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port)])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
        self.out = b""

    def read_until(self, needle, timeout=TIMEOUT, start=0):
        """Waits until needle appears in the output at or after offset start."""
        deadline = time.monotonic() + timeout
        while self.out.find(needle, start) < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    return self.out.find(needle, start) >= 0
                if not data:
                    return self.out.find(needle, start) >= 0
                self.out += data
        return True

    def type(self, text):
        os.write(self.fd, text)

    def wait(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return os.waitstatus_to_exitcode(status)
            self.read_until(b"\x00never", timeout=0.05)
        return None

    def close(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        os.close(self.fd)


def test_interactive_hints(server):
    t = Pty(server.port)
    try:
        prompt = b"127.0.0.1:%d> " % server.port
        assert t.read_until(prompt), t.out
        t.type(b"SET ")
        assert t.read_until(b"key value"), t.out  # the hint, shown after the typed text
        t.type(b"hk hv\r")
        assert t.read_until(b"OK"), t.out
        # Type the next line only at the next prompt: typed ahead while redis-cli is not in its
        # line editor, the line can be lost on a loaded machine.
        assert t.read_until(prompt, start=t.out.index(b"OK")), t.out
        t.type(b"GET hk\r")
        assert t.read_until(b'"hv"'), t.out  # a terminal gets the --no-raw formatting
        assert t.read_until(prompt, start=t.out.index(b'"hv"')), t.out
        t.type(b"GETRANGE ")
        assert t.read_until(b"key start end"), t.out
        t.type(b"\x15")  # Ctrl-U: clear the line
        t.type(b"quit\r")
        assert t.wait() == 0, t.out
    finally:
        t.close()
