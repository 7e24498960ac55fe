"""The network layer: connections, RESP and inline parsing on the wire, pipelining, protocol
errors, big values, back-pressure, misbehaving clients, maxclients, timeouts and shutdown.

Expected bytes were checked against redis-server 7.0.15. No timing assertions: waits are bounded
only so that a broken server fails the test instead of hanging it.
"""
import os
import signal
import socket
import subprocess
import threading
import time

import pytest
import redis

from conftest import ServerProcess, free_port

TIMEOUT = 10  # seconds: bound on any single wait in this file


def cmd(*args):
    """RESP encoding of one command."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)


def read_until_closed(sock, limit=1 << 20):
    """Everything the server sends until it closes the connection (bounded by TIMEOUT)."""
    data = b""
    sock.settimeout(TIMEOUT)
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


class Replies:
    """Parses RESP2 replies from a socket, one at a time."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by server")
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def next(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-", b":"):
            return line
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n + 2
            return data
        if t == b"*":
            return [self.next() for _ in range(int(rest))]
        raise AssertionError("unexpected reply line %r" % line)


# ---------------------------------------------------------------------------------------------
# Basics over redis-py and raw sockets.
# ---------------------------------------------------------------------------------------------
def test_ping_set_get_redis_py(server, r, prefix):
    assert r.ping() is True
    assert r.set(prefix + "k", "v") is True
    assert r.get(prefix + "k") == b"v"
    assert r.get(prefix + "missing") is None
    # A second client (the kernel may put it on the other worker) sees the same keyspace.
    other = server.client()
    assert other.get(prefix + "k") == b"v"
    other.set(prefix + "k2", b"\x00binary\r\n")
    assert r.get(prefix + "k2") == b"\x00binary\r\n"
    other.close()


def test_inline_commands(server, prefix):
    with connect(server.port) as s:
        rep = Replies(s)
        s.sendall(b"PING\r\n")
        assert rep.next() == b"+PONG"
        key = (prefix + "inline").encode()
        s.sendall(b"SET " + key + b" b\r\nGET " + key + b"\r\n")
        assert rep.next() == b"+OK"
        assert rep.next() == b"b"
        # Quoted arguments, empty lines skipped, inline and RESP mixed in one packet.
        s.sendall(b'\r\n\r\nSET ' + key + b' "x y"\r\n' + cmd("GET", key))
        assert rep.next() == b"+OK"
        assert rep.next() == b"x y"


def test_unknown_command_keeps_connection(server):
    with connect(server.port) as s:
        s.sendall(b"$5\r\n")  # inline "$5": an unknown command, not a protocol error
        rep = Replies(s)
        assert rep.next() == b"-ERR unknown command '$5', with args beginning with: "
        s.sendall(b"PING\r\n")
        assert rep.next() == b"+PONG"


def test_raw_pipeline_10000(server, prefix):
    n = 10000
    p = prefix.encode()
    payload = b"".join(cmd("SET", p + b"%d" % i, b"v%d" % i) for i in range(n))
    payload += b"".join(cmd("GET", p + b"%d" % i) for i in range(n))
    with connect(server.port) as s:
        sender = threading.Thread(target=s.sendall, args=(payload,))
        sender.start()
        rep = Replies(s)
        for i in range(n):
            assert rep.next() == b"+OK", i
        for i in range(n):
            assert rep.next() == b"v%d" % i, i
        sender.join(TIMEOUT)


def test_redis_py_pipeline_10000(r, prefix):
    n = 10000
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.set("%s%d" % (prefix, i), "value-%d" % i)
    for i in range(n):
        pipe.get("%s%d" % (prefix, i))
    res = pipe.execute()
    assert res[:n] == [True] * n
    assert res[n:] == [b"value-%d" % i for i in range(n)]


def test_pipeline_byte_at_a_time(server, prefix):
    payload = cmd("SET", prefix + "slow", "abc") + b"GET " + (prefix + "slow").encode() + b"\r\n"
    with connect(server.port) as s:
        for i in range(len(payload)):
            s.sendall(payload[i:i + 1])
        rep = Replies(s)
        assert rep.next() == b"+OK"
        assert rep.next() == b"abc"


def test_client_reply_off_skip_on(server):
    """The reply suppression of CLIENT REPLY, byte for byte as Redis 7.0 answers this sequence."""
    seq = [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("PING", "a"),
           ("CLIENT", "REPLY", "SKIP"), ("PING", "b"), ("PING", "c"),
           ("CLIENT", "REPLY", "OFF"), ("PING", "d"), ("CLIENT", "REPLY", "SKIP"), ("PING", "e"),
           ("CLIENT", "REPLY", "ON"), ("PING", "f"),
           ("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "OFF"), ("PING", "g"),
           ("CLIENT", "REPLY", "ON"), ("PING", "h")]
    with connect(server.port) as s:
        s.sendall(b"".join(cmd(*c) for c in seq) + cmd("QUIT"))
        assert read_until_closed(s) == (b"+OK\r\n$1\r\na\r\n$1\r\nc\r\n+OK\r\n$1\r\nf\r\n"
                                        b"+OK\r\n$1\r\nh\r\n+OK\r\n")


def test_quit_replies_then_closes_and_ignores_the_rest(server, prefix):
    key = prefix + "after-quit"
    with connect(server.port) as s:
        s.sendall(cmd("PING") + cmd("QUIT") + cmd("SET", key, "1"))
        assert read_until_closed(s) == b"+PONG\r\n+OK\r\n"
    assert server.client().get(key) is None


# ---------------------------------------------------------------------------------------------
# Protocol errors: "-ERR Protocol error: ..." then the server closes, as Redis 7.0.
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("request_bytes,expected", [
    (b"*1\r\n$4\r\nPING\r\n*x\r\n",
     b"+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$2147483648\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b'SET "a\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
])
def test_protocol_error_replies_and_closes(server, request_bytes, expected):
    with connect(server.port) as s:
        s.sendall(request_bytes)
        assert read_until_closed(s) == expected
    assert server.client().ping() is True


def test_protocol_error_after_good_commands_in_one_packet(server, prefix):
    key = prefix + "before-error"
    with connect(server.port) as s:
        s.sendall(cmd("SET", key, "1") + cmd("GET", key) + b"*1\r\nxyz\r\n" + cmd("SET", key, "2"))
        assert read_until_closed(s) == (b"+OK\r\n$1\r\n1\r\n"
                                        b"-ERR Protocol error: expected '$', got 'x'\r\n")
    assert server.client().get(key) == b"1"  # nothing after the error ran


# ---------------------------------------------------------------------------------------------
# Clients that go away at awkward moments.
# ---------------------------------------------------------------------------------------------
def test_half_command_then_disconnect(server, prefix):
    key = (prefix + "half").encode()
    for partial in (b"*3\r\n$3\r\nSET\r\n$%d\r\n%s" % (len(key), key[:3]),
                    cmd("SET", key, "v")[:-3],
                    b"SET " + key):
        s = connect(server.port)
        s.sendall(partial)
        s.close()
    r = server.client()
    assert r.ping() is True
    assert r.get(key) is None


def test_disconnect_mid_pipeline(server, prefix):
    n = 5000
    p = prefix.encode()
    s = connect(server.port)
    s.sendall(b"".join(cmd("SET", p + b"%d" % i, "x" * 100) for i in range(n)))
    s.close()  # replies unread: the server must drop them and clean up
    r = server.client()
    assert r.ping() is True
    r.set(prefix + "after", "ok")
    assert r.get(prefix + "after") == b"ok"


def test_client_killed_mid_huge_bulk(server, prefix):
    key = (prefix + "huge").encode()
    s = connect(server.port)
    s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100000000\r\n" % (len(key), key))
    s.sendall(b"z" * (4 << 20))  # 4 MB of the announced 100 MB, then gone
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()  # RST
    r = server.client()
    assert r.ping() is True
    assert r.get(key) is None


# ---------------------------------------------------------------------------------------------
# Many clients, big values, back-pressure.
# ---------------------------------------------------------------------------------------------
def test_100_connections_at_once(server, prefix):
    socks = [connect(server.port) for _ in range(100)]
    try:
        p = prefix.encode()
        for i, s in enumerate(socks):
            s.sendall(cmd("SET", p + b"%d" % i, b"c%d" % i))
        for s in socks:
            assert Replies(s).next() == b"+OK"
        for i, s in enumerate(socks):
            s.sendall(cmd("GET", p + b"%d" % ((i + 1) % 100)))  # another connection's key
        for i, s in enumerate(socks):
            assert Replies(s).next() == b"c%d" % ((i + 1) % 100)
    finally:
        for s in socks:
            s.close()


def test_100mb_value_round_trip(r, prefix):
    block = os.urandom(1 << 20)
    value = b"".join(bytes([i]) + block[1:] for i in range(100))  # 100 MB, not periodic
    assert r.set(prefix + "big", value) is True
    got = r.get(prefix + "big")
    assert len(got) == len(value)
    assert got == value
    r.delete(prefix + "big")


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_slow_reader_back_pressure(server, prefix):
    """A client that pipelines 512 MB worth of GET replies without reading them: the server keeps
    its output for that client bounded (it stops executing the client's commands while ~64 MB
    wait to be sent), keeps serving others, and delivers every reply in order once the client
    reads."""
    r = server.client()
    value = os.urandom(1 << 20)
    r.set(prefix + "mb", value)
    n = 512
    with connect(server.port) as s:
        s.sendall(cmd("GET", prefix + "mb") * n)
        time.sleep(0.5)
        assert r.ping() is True  # another client is served meanwhile
        r.set(prefix + "other", "1")
        assert rss_bytes(server.pid) < 400 * (1 << 20)
        rep = Replies(s)
        for i in range(n):
            assert rep.next() == value, i
    r.delete(prefix + "mb")


# ---------------------------------------------------------------------------------------------
# Servers of their own: maxclients, timeout, port in use, signals.
# ---------------------------------------------------------------------------------------------
def test_maxclients_rejects_with_error():
    srv = ServerProcess()
    srv.start(workers=2, extra_args=["--maxclients", "4"])
    socks = []
    try:
        for _ in range(4):
            s = connect(srv.port)
            s.sendall(b"PING\r\n")
            assert Replies(s).next() == b"+PONG"  # registered before the next connects
            socks.append(s)
        with connect(srv.port) as extra:
            assert read_until_closed(extra) == b"-ERR max number of clients reached\r\n"
        socks.pop().close()
        # The freed slot is usable once the server has seen the close (bounded retry).
        deadline = time.monotonic() + TIMEOUT
        while True:
            with connect(srv.port) as s:
                s.sendall(b"PING\r\n")
                if read_until_closed(s, limit=7)[:7] == b"+PONG\r\n":
                    break
            assert time.monotonic() < deadline, "slot never freed"
            time.sleep(0.05)
    finally:
        for s in socks:
            s.close()
        assert srv.stop() == 0


def test_idle_timeout_closes_client():
    srv = ServerProcess()
    srv.start(workers=2, extra_args=["--timeout", "1"])
    try:
        with connect(srv.port) as s:
            s.sendall(b"PING\r\n")
            assert Replies(s).next() == b"+PONG"
            # Closed silently after about a second of inactivity (bounded wait).
            assert read_until_closed(s) == b""
        with connect(srv.port) as s:  # the server itself carries on
            s.sendall(b"PING\r\n")
            assert Replies(s).next() == b"+PONG"
    finally:
        assert srv.stop() == 0


def test_port_in_use_is_fatal(server):
    proc = subprocess.run([server.binary, "--port", str(server.port), "--bind", "127.0.0.1",
                           "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=TIMEOUT)
    assert proc.returncode == 1
    assert b"Address already in use" in proc.stdout
    assert server.client().ping() is True


def test_port_zero_does_not_listen():
    port = free_port()
    proc = subprocess.Popen([ServerProcess().binary, "--port", "0", "--workers", "1", "--save", ""],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.3)
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert port > 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_cleanly(sig):
    srv = ServerProcess()
    srv.start(workers=2)
    idle = connect(srv.port)
    busy = connect(srv.port)
    busy.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\nabc")  # mid-command
    r = srv.client()
    r.set("k2", "v")
    try:
        os.kill(srv.pid, sig)
        assert srv.proc.wait(TIMEOUT) == 0
        assert read_until_closed(idle) == b""
        assert b"Ready to accept connections tcp" in srv.log().encode()
        assert b"scheduling shutdown" in srv.log().encode()
    finally:
        idle.close()
        busy.close()
        srv.stop()
