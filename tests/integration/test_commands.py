"""Commands of the server core, checked against Redis 7.0's replies and error strings.

Uses redis-py (Debian's python3-redis, 4.x), a raw RESP socket where bytes matter (error strings,
RESP3) and redis-cli subprocesses. Every server runs on 127.0.0.1 on a free port (conftest) and
is stopped by PID. No timing assertions: ordering is checked with server-side facts.
"""
import os
import socket
import subprocess
import threading
import time

import pytest
import redis

from conftest import ServerProcess

REDIS_CLI = "redis-cli"
TIMEOUT = 10  # seconds: bound on any single wait in this file


# ---------------------------------------------------------------------------------------------
# Raw RESP connection: byte-exact replies (errors, RESP3 types).
# ---------------------------------------------------------------------------------------------
class Err(str):
    """An error reply (full text, e.g. 'ERR syntax error')."""


class Raw:
    """A minimal RESP client over a plain socket. call() returns the parsed reply; errors come
    back as Err values, never raised. raw() returns the reply's exact bytes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def close(self):
        self.sock.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send(self, *args):
        self.sock.sendall(self.encode(*args))

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by server")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return Err(rest.decode())
        if t == b":":
            return int(rest)
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == b"%":
            return {self._key(self.read()): self.read() for _ in range(int(rest))}
        if t == b"_":
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        raise AssertionError("bad RESP type byte %r in %r" % (t, line))

    @staticmethod
    def _key(k):
        return k.decode() if isinstance(k, bytes) else k

    def call(self, *args):
        self.send(*args)
        return self.read()

    def raw(self, *args):
        """Sends a command and returns the exact bytes of its reply."""
        self.send(*args)
        while True:
            try:
                end = _resp_end(self.buf, 0)
                break
            except (IndexError, ValueError):
                self._fill()
        data, self.buf = self.buf[:end], self.buf[end:]
        return data


def _resp_end(b, i):
    """Index just past the RESP value starting at b[i]; IndexError when b is incomplete."""
    j = b.index(b"\r\n", i)
    t, rest = b[i:i + 1], b[i + 1:j]
    if t in (b"+", b"-", b":", b"_", b",", b"#", b"("):
        return j + 2
    if t in (b"$", b"=", b"!"):
        n = int(rest)
        if n < 0:
            return j + 2
        if len(b) < j + 2 + n + 2:
            raise IndexError
        return j + 2 + n + 2
    if t in (b"*", b"~", b">", b"%"):
        n = int(rest)
        k = j + 2
        for _ in range(max(n, 0) * (2 if t == b"%" else 1)):
            k = _resp_end(b, k)
        return k
    raise AssertionError("bad RESP type byte %r" % t)


def cli(port, *args, stdin=None, extra=()):
    """Runs redis-cli against the server; returns (returncode, stdout)."""
    p = subprocess.run([REDIS_CLI, "-p", str(port), *extra, *[str(a) for a in args]],
                       input=stdin, capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode()


def py_error_text(full):
    """What redis-py's ResponseError says for an error reply (it drops a leading 'ERR ')."""
    return full[4:] if full.startswith("ERR ") else full


@pytest.fixture
def raw(server):
    c = Raw(server.port)
    yield c
    c.close()


@pytest.fixture
def fresh(server):
    """A redis-py client on an empty server (all databases flushed)."""
    c = server.client()
    c.flushall()
    yield c
    c.close()


def wrong_args(name):
    return "ERR wrong number of arguments for '%s' command" % name


# ---------------------------------------------------------------------------------------------
# Error replies: one table, checked through redis-py (raw socket) and through redis-cli.
# Each row: (setup commands, command, the full error reply of Redis 7.0).
# ---------------------------------------------------------------------------------------------
SYNTAX = "ERR syntax error"
NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
DB_RANGE = "ERR DB index is out of range"
BITFIELD_TYPE = ("ERR Invalid bitfield type. Use something like i16 u8. "
                 "Note that u64 is not supported but i64 is.")
ERROR_CASES = [
    # connection
    ([], ["PING", "a", "b"], wrong_args("ping")),
    ([], ["ECHO"], wrong_args("echo")),
    ([], ["ECHO", "a", "b"], wrong_args("echo")),
    ([], ["SELECT", "16"], DB_RANGE),
    ([], ["SELECT", "-1"], DB_RANGE),
    ([], ["SELECT", "x"], NOT_INT),
    ([], ["SELECT", "1", "2"], wrong_args("select")),
    ([], ["HELLO", "4"], "NOPROTO unsupported protocol version"),
    ([], ["HELLO", "x"], "ERR Protocol version is not an integer or out of range"),
    ([], ["HELLO", "2", "foo"], "ERR Syntax error in HELLO option 'foo'"),
    ([], ["HELLO", "3", "SETNAME", "a b"],
     "ERR Client names cannot contain spaces, newlines or special characters."),
    ([], ["CLIENT", "SETNAME", "a b"],
     "ERR Client names cannot contain spaces, newlines or special characters."),
    ([], ["CLIENT", "SETNAME", "a\nb"],
     "ERR Client names cannot contain spaces, newlines or special characters."),
    ([], ["CLIENT", "KILL", "1.2.3.4:5"], "ERR No such client"),
    ([], ["CLIENT", "KILL", "ID", "0"], "ERR client-id should be greater than 0"),
    ([], ["CLIENT", "KILL", "ID", "x"], "ERR client-id should be greater than 0"),
    ([], ["CLIENT", "KILL", "foo", "bar"], SYNTAX),
    ([], ["CLIENT", "NO-EVICT", "maybe"], SYNTAX),
    ([], ["CLIENT", "REPLY", "maybe"], SYNTAX),
    ([], ["CLIENT", "ID", "x"], wrong_args("client|id")),
    ([], ["CLIENT", "INFO", "x"], wrong_args("client|info")),
    ([], ["CLIENT", "LIST", "foo"], SYNTAX),
    ([], ["CLIENT", "LIST", "TYPE", "foo"], "ERR Unknown client type 'foo'"),
    ([], ["CLIENT", "LIST", "ID", "1", "x"], "ERR Invalid client ID"),
    ([], ["CLIENT", "foo"], "ERR unknown subcommand 'foo'. Try CLIENT HELP."),
    ([], ["CLIENT"], wrong_args("client")),
    # server
    ([], ["DBSIZE", "x"], wrong_args("dbsize")),
    ([], ["TIME", "x"], wrong_args("time")),
    ([], ["FLUSHDB", "bogus"], SYNTAX),
    ([], ["FLUSHALL", "bogus"], SYNTAX),
    ([], ["SWAPDB", "0", "16"], DB_RANGE),
    ([], ["SWAPDB", "x", "1"], "ERR invalid first DB index"),
    ([], ["SWAPDB", "0", "x"], "ERR invalid second DB index"),
    ([], ["SWAPDB", "0"], wrong_args("swapdb")),
    ([], ["CONFIG", "GET"], wrong_args("config|get")),
    ([], ["CONFIG", "SET", "foo", "bar"],
     "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
    ([], ["CONFIG", "SET", "maxmemory", "abc"],
     "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
     "argument must be a memory value"),
    ([], ["CONFIG", "RESETSTAT", "x"], wrong_args("config|resetstat")),
    ([], ["CONFIG", "foo"], "ERR unknown subcommand 'foo'. Try CONFIG HELP."),
    ([], ["MEMORY", "USAGE"], wrong_args("memory|usage")),
    ([], ["MEMORY", "foo"], "ERR unknown subcommand 'foo'. Try MEMORY HELP."),
    (["SET e:m 1"], ["MEMORY", "USAGE", "e:m", "SAMPLES", "x"], NOT_INT),
    (["SET e:m 1"], ["MEMORY", "USAGE", "e:m", "SAMPLES", "5", "x"], SYNTAX),
    ([], ["FOOBAR", "a"], "ERR unknown command 'FOOBAR', with args beginning with: 'a' "),
    ([], ["FOOBAR"], "ERR unknown command 'FOOBAR', with args beginning with: "),
    # keys
    ([], ["DEL"], wrong_args("del")),
    ([], ["UNLINK"], wrong_args("unlink")),
    ([], ["EXISTS"], wrong_args("exists")),
    ([], ["TYPE"], wrong_args("type")),
    ([], ["RENAME", "e:nokey", "e:x"], "ERR no such key"),
    ([], ["RENAMENX", "e:nokey", "e:x"], "ERR no such key"),
    (["SET e:s v"], ["COPY", "e:s", "e:s"], "ERR source and destination objects are the same"),
    (["SET e:s v"], ["COPY", "e:s", "e:t", "DB", "x"], NOT_INT),
    (["SET e:s v"], ["COPY", "e:s", "e:t", "DB", "16"], DB_RANGE),
    (["SET e:s v"], ["COPY", "e:s", "e:t", "foo"], SYNTAX),
    (["SET e:s v"], ["MOVE", "e:s", "0"], "ERR source and destination objects are the same"),
    (["SET e:s v"], ["MOVE", "e:s", "16"], DB_RANGE),
    (["SET e:s v"], ["MOVE", "e:s", "x"], NOT_INT),
    ([], ["KEYS"], wrong_args("keys")),
    ([], ["SCAN", "x"], "ERR invalid cursor"),
    ([], ["SCAN", "0", "COUNT", "0"], SYNTAX),
    ([], ["SCAN", "0", "COUNT", "x"], NOT_INT),
    ([], ["SCAN", "0", "foo"], SYNTAX),
    ([], ["RANDOMKEY", "x"], wrong_args("randomkey")),
    ([], ["TOUCH"], wrong_args("touch")),
    (["SET e:s v"], ["OBJECT", "foo", "e:s"], "ERR unknown subcommand 'foo'. Try OBJECT HELP."),
    (["SET e:s v"], ["OBJECT", "FREQ", "e:s"],
     "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
     "that when switching between policies at runtime LRU and LFU data will take some time to "
     "adjust."),
    (["SET e:s v"], ["EXPIRE", "e:s", "x"], NOT_INT),
    (["SET e:s v"], ["EXPIRE", "e:s", "10", "foo"], "ERR Unsupported option foo"),
    (["SET e:s v"], ["EXPIRE", "e:s", "10", "NX", "XX"],
     "ERR NX and XX, GT or LT options at the same time are not compatible"),
    (["SET e:s v"], ["EXPIRE", "e:s", "10", "GT", "LT"],
     "ERR GT and LT options at the same time are not compatible"),
    (["SET e:s v"], ["EXPIRE", "e:s", "99999999999999999"],
     "ERR invalid expire time in 'expire' command"),
    (["SET e:s v"], ["PEXPIRE", "e:s", "9223372036854775807"],
     "ERR invalid expire time in 'pexpire' command"),
    ([], ["TTL"], wrong_args("ttl")),
    ([], ["PTTL", "a", "b"], wrong_args("pttl")),
    ([], ["EXPIRETIME"], wrong_args("expiretime")),
    ([], ["PEXPIRETIME"], wrong_args("pexpiretime")),
    ([], ["PERSIST"], wrong_args("persist")),
    # strings
    ([], ["GET"], wrong_args("get")),
    ([], ["SET", "e:k", "v", "NX", "XX"], SYNTAX),
    ([], ["SET", "e:k", "v", "EX", "0"], "ERR invalid expire time in 'set' command"),
    ([], ["SET", "e:k", "v", "PX", "-1"], "ERR invalid expire time in 'set' command"),
    ([], ["SET", "e:k", "v", "EXAT", "0"], "ERR invalid expire time in 'set' command"),
    ([], ["SET", "e:k", "v", "EX", "x"], NOT_INT),
    ([], ["SET", "e:k", "v", "EX", "10", "PX", "10"], SYNTAX),
    ([], ["SET", "e:k", "v", "KEEPTTL", "EX", "10"], SYNTAX),
    ([], ["SET", "e:k", "v", "foo"], SYNTAX),
    ([], ["SETNX", "e:k"], wrong_args("setnx")),
    ([], ["SETEX", "e:k", "0", "v"], "ERR invalid expire time in 'setex' command"),
    ([], ["SETEX", "e:k", "x", "v"], NOT_INT),
    ([], ["PSETEX", "e:k", "0", "v"], "ERR invalid expire time in 'psetex' command"),
    ([], ["GETSET", "e:k"], wrong_args("getset")),
    ([], ["GETDEL"], wrong_args("getdel")),
    (["SET e:k v"], ["GETEX", "e:k", "EX", "0"], "ERR invalid expire time in 'getex' command"),
    (["SET e:k v"], ["GETEX", "e:k", "foo"], SYNTAX),
    (["SET e:k v"], ["GETEX", "e:k", "PERSIST", "EX", "10"], SYNTAX),
    (["SET e:k v"], ["GETEX", "e:k", "EX", "10", "PX", "10"], SYNTAX),
    ([], ["MGET"], wrong_args("mget")),
    ([], ["MSET", "a"], wrong_args("mset")),
    ([], ["MSET", "a", "1", "b"], wrong_args("mset")),
    ([], ["MSETNX", "a", "1", "b"], wrong_args("msetnx")),
    ([], ["APPEND", "e:k"], wrong_args("append")),
    ([], ["STRLEN", "e:k", "x"], wrong_args("strlen")),
    ([], ["SETRANGE", "e:k", "-1", "x"], "ERR offset is out of range"),
    ([], ["SETRANGE", "e:k", "536870912", "x"],
     "ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
    ([], ["GETRANGE", "e:k", "x", "1"], NOT_INT),
    ([], ["SUBSTR", "e:k", "0"], wrong_args("substr")),
    (["SET e:t hello"], ["INCR", "e:t"], NOT_INT),
    (["SET e:t ''"], ["INCR", "e:t"], NOT_INT),
    (["SET e:t 1.5"], ["INCR", "e:t"], NOT_INT),
    (["SET e:t 9223372036854775807"], ["INCR", "e:t"],
     "ERR increment or decrement would overflow"),
    (["SET e:t -9223372036854775808"], ["DECR", "e:t"],
     "ERR increment or decrement would overflow"),
    ([], ["INCRBY", "e:n", "x"], NOT_INT),
    ([], ["DECRBY", "e:n", "-9223372036854775808"], "ERR decrement would overflow"),
    ([], ["INCRBYFLOAT", "e:n", "x"], NOT_FLOAT),
    (["SET e:t abc"], ["INCRBYFLOAT", "e:t", "1"], NOT_FLOAT),
    ([], ["INCRBYFLOAT", "e:n", "inf"], "ERR increment would produce NaN or Infinity"),
    ([], ["SETBIT", "e:k", "-1", "1"], "ERR bit offset is not an integer or out of range"),
    ([], ["SETBIT", "e:k", "4294967296", "1"], "ERR bit offset is not an integer or out of range"),
    ([], ["SETBIT", "e:k", "0", "2"], "ERR bit is not an integer or out of range"),
    ([], ["GETBIT", "e:k", "-1"], "ERR bit offset is not an integer or out of range"),
    (["SET e:k foobar"], ["BITCOUNT", "e:k", "0"], SYNTAX),
    (["SET e:k foobar"], ["BITCOUNT", "e:k", "0", "1", "foo"], SYNTAX),
    (["SET e:k foobar"], ["BITCOUNT", "e:k", "x", "1"], NOT_INT),
    ([], ["BITPOS", "e:k", "2"], "ERR The bit argument must be 1 or 0."),
    (["SET e:k foobar"], ["BITPOS", "e:k", "1", "0", "1", "foo"], SYNTAX),
    ([], ["BITOP", "foo", "e:d", "e:k"], SYNTAX),
    ([], ["BITOP", "NOT", "e:d", "e:a", "e:b"],
     "ERR BITOP NOT must be called with a single source key."),
    ([], ["BITOP", "AND", "e:d"], wrong_args("bitop")),
    ([], ["BITFIELD", "e:k", "GET", "u64", "0"], BITFIELD_TYPE),
    ([], ["BITFIELD", "e:k", "GET", "i65", "0"], BITFIELD_TYPE),
    ([], ["BITFIELD", "e:k", "GET", "x", "0"], BITFIELD_TYPE),
    ([], ["BITFIELD", "e:k", "GET", "u8", "-1"], "ERR bit offset is not an integer or out of range"),
    ([], ["BITFIELD", "e:k", "SET", "u8", "0", "x"], NOT_INT),
    ([], ["BITFIELD", "e:k", "OVERFLOW", "foo"], "ERR Invalid OVERFLOW type specified"),
    ([], ["BITFIELD", "e:k", "foo"], SYNTAX),
    ([], ["BITFIELD", "e:k", "INCRBY", "u8", "0"], SYNTAX),
    ([], ["BITFIELD_RO", "e:k", "SET", "u8", "0", "1"],
     "ERR BITFIELD_RO only supports the GET subcommand"),
    ([], ["LCS", "e:a", "e:b", "foo"], SYNTAX),
    ([], ["LCS", "e:a", "e:b", "MINMATCHLEN", "x"], NOT_INT),
]


def _case_id(case):
    return " ".join(case[1])[:60]


def _setup(raw_conn, setup):
    for line in setup:
        parts = line.split(" ")
        parts = ["" if p == "''" else p for p in parts]
        reply = raw_conn.call(*parts)
        assert not isinstance(reply, Err), (line, reply)


@pytest.mark.parametrize("case", ERROR_CASES, ids=_case_id)
def test_error_reply_raw_and_redis_py(server, case):
    setup, cmd, expected = case
    c = Raw(server.port)
    try:
        c.call("FLUSHALL")
        _setup(c, setup)
        got = c.call(*cmd)
        assert isinstance(got, Err) and got == expected, (cmd, got)
    finally:
        c.close()
    # The same through redis-py (which strips the "ERR " prefix).
    client = server.client()
    try:
        client.flushall()
        for line in setup:
            client.execute_command(*["" if p == "''" else p for p in line.split(" ")])
        with pytest.raises(redis.exceptions.ResponseError) as ei:
            client.execute_command(*cmd)
        assert str(ei.value) == py_error_text(expected)
    finally:
        client.close()


# redis-cli prints an error reply as its text when stdout is not a terminal.
CLI_ERROR_CASES = [c for c in ERROR_CASES if not c[0] and c[1][0] not in ("HELLO",)]


@pytest.mark.parametrize("case", CLI_ERROR_CASES, ids=_case_id)
def test_error_reply_redis_cli(server, case):
    _, cmd, expected = case
    rc, out = cli(server.port, *cmd)
    assert out.strip() == expected.strip(), (cmd, out)


# ---------------------------------------------------------------------------------------------
# Connection commands.
# ---------------------------------------------------------------------------------------------
def test_ping_echo(server, r, raw):
    assert r.ping() is True
    assert raw.call("PING", "hello") == b"hello"
    assert r.echo("x y z") == b"x y z"
    assert r.echo(b"\x00\xff") == b"\x00\xff"
    assert raw.raw("PING") == b"+PONG\r\n"
    assert raw.raw("PING", "a") == b"$1\r\na\r\n"
    assert raw.raw("ECHO", "") == b"$0\r\n\r\n"
    assert cli(server.port, "ping") == (0, "PONG\n")
    assert cli(server.port, "echo", "hi there") == (0, "hi there\n")


def test_inline_commands(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        s.sendall(b"PING\r\nECHO hello\r\n")
        c = Raw.__new__(Raw)
        c.sock, c.buf = s, b""
        assert c.read() == "PONG"
        assert c.read() == b"hello"
    finally:
        s.close()


def test_quit_closes_connection(server):
    c = Raw(server.port)
    try:
        assert c.raw("QUIT") == b"+OK\r\n"
        c.sock.settimeout(TIMEOUT)
        assert c.sock.recv(100) == b""  # EOF: the server closed the connection
    finally:
        c.close()
    assert cli(server.port, "quit") == (0, "OK\n")


def test_select_and_databases(server):
    c = Raw(server.port)
    try:
        c.call("FLUSHALL")
        assert c.call("SET", "k", "db0") == "OK"
        assert c.call("SELECT", "3") == "OK"
        assert c.call("GET", "k") is None
        assert c.call("SET", "k", "db3") == "OK"
        assert c.call("DBSIZE") == 1
        assert c.call("SELECT", "0") == "OK"
        assert c.call("GET", "k") == b"db0"
    finally:
        c.close()
    db3 = server.client(db=3)
    assert db3.get("k") == b"db3"
    db3.close()
    assert cli(server.port, "-n", "3", "get", "k")[1] == "db3\n"


def test_reset(server):
    c = Raw(server.port)
    try:
        c.call("SELECT", "5")
        c.call("CLIENT", "SETNAME", "before-reset")
        c.call("HELLO", "3")
        c.call("CLIENT", "NO-EVICT", "on")
        assert c.raw("RESET") == b"+RESET\r\n"
        # Back to RESP2, db 0, no name.
        assert c.raw("GET", "reset:nokey") == b"$-1\r\n"
        assert c.call("CLIENT", "GETNAME") is None
        info = c.call("CLIENT", "INFO").decode()
        assert " db=0 " in info and "resp=2" in info and "name= " in info
    finally:
        c.close()


def test_hello(server):
    c = Raw(server.port)
    try:
        reply = c.call("HELLO")
        # RESP2: a flat array of 14 elements (7 pairs).
        assert isinstance(reply, list) and len(reply) == 14
        fields = dict(zip([k.decode() for k in reply[::2]], reply[1::2]))
        assert set(fields) == {"server", "version", "proto", "id", "mode", "role", "modules"}
        assert fields["proto"] == 2
        assert fields["id"] == c.call("CLIENT", "ID")
        assert fields["mode"] == b"standalone"
        assert fields["role"] == b"master"
        assert fields["modules"] == []

        r3 = c.raw("HELLO", "3", "SETNAME", "hello-client")
        assert r3.startswith(b"%7\r\n")
        c.buf = r3 + c.buf
        # Parse the same bytes into a map.
        m = c.read()
        assert m["proto"] == 3 and m["id"] == fields["id"]
        assert c.call("CLIENT", "GETNAME") == b"hello-client"
        r2 = c.call("HELLO", "2")
        assert isinstance(r2, list) and len(r2) == 14
        assert c.raw("GET", "hello:nokey") == b"$-1\r\n"
    finally:
        c.close()


def test_resp3_reply_types(server):
    c = Raw(server.port)
    try:
        c.call("FLUSHALL")
        assert c.raw("HELLO", "3").startswith(b"%7\r\n")
        c.call("SET", "a", "1")
        assert c.raw("GET", "nokey") == b"_\r\n"
        assert c.raw("GET", "a") == b"$1\r\n1\r\n"
        assert c.raw("MGET", "a", "nokey") == b"*2\r\n$1\r\n1\r\n_\r\n"
        assert c.raw("SET", "x", "1", "GET") == b"_\r\n"
        assert c.raw("EXISTS", "a") == b":1\r\n"
        assert c.raw("PING") == b"+PONG\r\n"
        assert c.raw("CONFIG", "GET", "databases") == b"%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n"
        assert c.raw("INCRBYFLOAT", "f", "1.5") == b"$3\r\n1.5\r\n"
        info = c.raw("INFO", "server")
        assert info.startswith(b"=") and b"\r\ntxt:# Server\r\n" in info
        ci = c.raw("CLIENT", "INFO")
        assert ci.startswith(b"=") and b"\r\ntxt:id=" in ci and b"resp=3" in ci
        assert c.raw("LCS", "nokey1", "nokey2", "IDX") == (
            b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n")
        assert c.raw("OBJECT", "ENCODING", "nokey") == b"_\r\n"
        assert c.raw("BITFIELD", "bf", "INCRBY", "u2", "0", "5", "OVERFLOW", "FAIL", "INCRBY",
                     "u2", "0", "5") == b"*2\r\n:1\r\n_\r\n"
        assert c.raw("RESET") == b"+RESET\r\n"
        assert c.raw("GET", "nokey") == b"$-1\r\n"
    finally:
        c.close()


def _client_info(conn):
    """CLIENT INFO of a redis-py client or Raw connection, as a dict."""
    if isinstance(conn, Raw):
        line = conn.call("CLIENT", "INFO").decode()
    else:
        line = conn.execute_command("CLIENT", "INFO")
        line = line.decode() if isinstance(line, bytes) else line
    return dict(f.split("=", 1) for f in line.strip().split(" "))


def test_client_id_name_info_list(server):
    a, b = Raw(server.port), Raw(server.port)
    try:
        ida, idb = a.call("CLIENT", "ID"), b.call("CLIENT", "ID")
        assert isinstance(ida, int) and isinstance(idb, int) and ida != idb
        assert a.call("CLIENT", "GETNAME") is None
        assert a.call("CLIENT", "SETNAME", "alpha") == "OK"
        assert a.call("CLIENT", "GETNAME") == b"alpha"
        info = _client_info(a)
        assert info["id"] == str(ida) and info["name"] == "alpha"
        assert info["cmd"] == "client|info"
        assert info["db"] == "0" and info["resp"] == "2"
        for field in ("addr", "laddr", "fd", "age", "idle", "flags", "db", "omem", "cmd"):
            assert field in info
        # The peer address is the socket's local address.
        host, port = a.sock.getsockname()
        assert info["addr"] == "%s:%d" % (host, port)
        assert info["laddr"] == "127.0.0.1:%d" % server.port
        # CLIENT LIST from b shows both, one line each, ending with \n.
        listing = b.call("CLIENT", "LIST").decode()
        assert listing.endswith("\n")
        ids = {int(dict(f.split("=", 1) for f in l.split(" "))["id"])
               for l in listing.strip().split("\n")}
        assert {ida, idb} <= ids
        only = b.call("CLIENT", "LIST", "ID", str(ida)).decode().strip().split("\n")
        assert len(only) == 1 and only[0].startswith("id=%d " % ida)
        assert " name=alpha " in only[0]
        normal = b.call("CLIENT", "LIST", "TYPE", "normal").decode()
        assert "id=%d " % ida in normal
        # Empty name clears it.
        assert a.call("CLIENT", "SETNAME", "") == "OK"
        assert a.call("CLIENT", "GETNAME") is None
    finally:
        a.close()
        b.close()


def test_client_setinfo(server, raw):
    # CLIENT SETINFO (Redis 7.2) sets lib-name / lib-ver, shown by CLIENT INFO.
    assert raw.call("CLIENT", "SETINFO", "LIB-NAME", "mylib") == "OK"
    assert raw.call("CLIENT", "SETINFO", "LIB-VER", "1.2.3") == "OK"
    info = _client_info(raw)
    assert info.get("lib-name") == "mylib" and info.get("lib-ver") == "1.2.3"
    err = raw.call("CLIENT", "SETINFO", "LIB-NAME", "a b")
    assert isinstance(err, Err) and err.startswith("ERR ")
    err = raw.call("CLIENT", "SETINFO", "FOO", "bar")
    assert isinstance(err, Err) and err.startswith("ERR ")


def test_client_kill(server):
    victim, killer = Raw(server.port), Raw(server.port)
    try:
        vid = victim.call("CLIENT", "ID")
        vaddr = _client_info(victim)["addr"]
        assert killer.call("CLIENT", "KILL", "ID", str(vid)) == 1
        victim.sock.settimeout(TIMEOUT)
        assert victim.sock.recv(100) == b""  # closed by the server
        assert killer.call("CLIENT", "KILL", "ID", str(vid)) == 0
        v2 = Raw(server.port)
        v2addr = _client_info(v2)["addr"]
        assert killer.call("CLIENT", "KILL", v2addr) == "OK"  # old form: addr -> +OK
        v2.sock.settimeout(TIMEOUT)
        assert v2.sock.recv(100) == b""
        v2.close()
        assert killer.call("CLIENT", "KILL", vaddr) == Err("ERR No such client")
        v3 = Raw(server.port)
        v3addr = _client_info(v3)["addr"]
        assert killer.call("CLIENT", "KILL", "ADDR", v3addr, "SKIPME", "yes") == 1
        v3.close()
        # SKIPME yes (the default) spares the caller; SKIPME no kills it too.
        myaddr = _client_info(killer)["addr"]
        assert killer.call("CLIENT", "KILL", "ADDR", myaddr) == 0
        assert killer.call("PING") == "PONG"
    finally:
        victim.close()
        killer.close()


def test_client_no_evict_and_reply(server):
    c = Raw(server.port)
    try:
        assert c.call("CLIENT", "NO-EVICT", "on") == "OK"
        assert "e" in _client_info(c)["flags"]
        assert c.call("CLIENT", "NO-EVICT", "off") == "OK"
        assert "e" not in _client_info(c)["flags"]
        # REPLY OFF: no replies until REPLY ON (which replies OK). SKIP: the next one is skipped.
        c.send("CLIENT", "REPLY", "OFF")
        c.send("SET", "reply:k", "1")
        c.send("CLIENT", "REPLY", "SKIP")  # ignored while OFF (no reply either)
        c.send("CLIENT", "REPLY", "ON")
        assert c.read() == "OK"
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("GET", "reply:k")
        c.send("GET", "reply:k")
        assert c.read() == b"1"
        assert c.call("PING") == "PONG"
        assert c.buf == b""
    finally:
        c.close()


# ---------------------------------------------------------------------------------------------
# Server commands.
# ---------------------------------------------------------------------------------------------
def _info_text(client, *sections):
    """INFO's text (redis-py's execute_command would parse it into a dict)."""
    c = Raw(client.connection_pool.connection_kwargs["port"])
    try:
        text = c.call("INFO", *sections)
    finally:
        c.close()
    assert isinstance(text, bytes), text
    return text.decode()


def test_info_sections(server, fresh):
    fresh.set("a", "1")
    fresh.set("b", "2", ex=100)
    info = _info_text(fresh)
    for section in ("Server", "Clients", "Memory", "Stats", "Keyspace"):
        assert "# %s\r\n" % section in info, section
    srv = fresh.info("server")
    assert str(srv["redis_version"]).startswith("7.0")
    assert srv["tcp_port"] == server.port
    assert srv["process_id"] == server.pid
    assert "run_id" in srv and "uptime_in_seconds" in srv
    ks = fresh.info("keyspace")
    assert ks["db0"]["keys"] == 2 and ks["db0"]["expires"] == 1
    assert "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=" in _info_text(fresh, "keyspace")
    clients = fresh.info("clients")
    assert clients["connected_clients"] >= 1
    stats = fresh.info("stats")
    for field in ("total_commands_processed", "total_connections_received", "keyspace_hits",
                  "keyspace_misses", "expired_keys", "instantaneous_ops_per_sec"):
        assert field in stats, field
    # Several sections at once; unknown sections give an empty reply.
    two = _info_text(fresh, "server", "clients")
    assert "# Server" in two and "# Clients" in two and "# Keyspace" not in two
    assert _info_text(fresh, "nosuchsection") == ""
    assert "# Commandstats" in _info_text(fresh, "all")
    assert "cmdstat_set:calls=" in _info_text(fresh, "commandstats")


def test_info_stm(server, r):
    text = _info_text(r, "stm")
    lines = [l for l in text.split("\r\n") if l]
    assert lines and lines[0].lower() == "# stm", text
    assert len(lines) > 1 and all(":" in l for l in lines[1:]), text
    # INFO everything includes it.
    assert lines[0] in _info_text(r, "everything")


def test_hits_misses_and_resetstat(server, fresh):
    assert fresh.config_resetstat() is True
    fresh.set("k", "v")
    fresh.get("k")
    fresh.get("k")
    fresh.get("nokey")
    stats = fresh.info("stats")
    assert stats["keyspace_hits"] == 2 and stats["keyspace_misses"] == 1
    assert fresh.config_resetstat() is True
    stats = fresh.info("stats")
    assert stats["keyspace_hits"] == 0 and stats["keyspace_misses"] == 0


def test_dbsize_flushdb_flushall(server, fresh):
    assert fresh.dbsize() == 0
    fresh.mset({"a": 1, "b": 2, "c": 3})
    assert fresh.dbsize() == 3
    db1 = server.client(db=1)
    db1.set("x", 1)
    assert fresh.flushdb() is True
    assert fresh.dbsize() == 0 and db1.dbsize() == 1
    assert fresh.execute_command("FLUSHDB", "ASYNC") is True
    assert fresh.execute_command("FLUSHDB", "SYNC") is True
    assert fresh.flushall() is True
    assert db1.dbsize() == 0
    db1.set("x", 1)
    assert fresh.execute_command("FLUSHALL", "ASYNC") is True
    assert db1.dbsize() == 0
    db1.close()
    assert cli(server.port, "dbsize") == (0, "0\n")


def test_swapdb(server, fresh):
    db1 = server.client(db=1)
    fresh.set("k", "zero")
    fresh.set("only0", "x")
    db1.set("k", "one")
    assert fresh.swapdb(0, 1) is True
    assert fresh.get("k") == b"one" and db1.get("k") == b"zero"
    assert fresh.get("only0") is None and db1.get("only0") == b"x"
    assert fresh.dbsize() == 1 and db1.dbsize() == 2
    assert fresh.swapdb(0, 0) is True
    assert fresh.get("k") == b"one"
    db1.close()


def test_time(server, r):
    sec, usec = r.execute_command("TIME")
    assert int(sec) > 1_600_000_000 and 0 <= int(usec) < 1_000_000
    local = time.time()
    # A sanity bound on the clock, not a timing assertion: same machine.
    assert abs(int(sec) - local) < 60


def test_config_get_set(server, r):
    assert r.config_get("port") == {"port": str(server.port)}
    assert r.config_get("databases") == {"databases": "16"}
    # Glob patterns, several names.
    got = r.execute_command("CONFIG", "GET", "databases", "port")
    pairs = dict(zip(got[::2], got[1::2]))
    assert pairs == {b"databases": b"16", b"port": str(server.port).encode()}
    many = r.config_get("*")
    assert "port" in many and "databases" in many and many["databases"] == "16"
    assert r.config_get("nosuchoption") == {}
    assert r.execute_command("CONFIG", "GET", "data*") == [b"databases", b"16"]
    # A settable option round-trips; CONFIG SET of several at once.
    old = r.config_get("timeout")["timeout"]
    assert r.config_set("timeout", "300") is True
    assert r.config_get("timeout") == {"timeout": "300"}
    assert r.execute_command("CONFIG", "SET", "timeout", old, "tcp-keepalive", "300") == b"OK"
    assert r.config_get("timeout") == {"timeout": old}


def test_config_maxmemory(server, r):
    # redis-benchmark and clients read maxmemory; Redis 7.0 has it (0 = no limit).
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    assert r.config_set("maxmemory", "10mb") is True
    assert r.config_get("maxmemory") == {"maxmemory": "10485760"}
    assert r.config_set("maxmemory", "0") is True
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}


def test_debug_sleep_blocks_only_its_worker(server):
    # Find two connections on different workers (CLIENT INFO's worker= field).
    conns = []
    try:
        by_worker = {}
        for _ in range(16):
            c = Raw(server.port)
            conns.append(c)
            info = _client_info(c)
            assert "worker" in info, "CLIENT INFO has no worker= field: %r" % info
            by_worker.setdefault(info["worker"], c)
            if len(by_worker) >= 2:
                break
        assert len(by_worker) >= 2, "16 connections all landed on one worker"
        sleeper, other = list(by_worker.values())[:2]
        other.call("DEL", "debugsleep:marker")
        done = threading.Event()
        replies = []

        def run_sleep():
            # SET marker and DEBUG SLEEP in one write: once the marker is visible, the sleeper's
            # worker is at the DEBUG SLEEP.
            sleeper.sock.sendall(Raw.encode("SET", "debugsleep:marker", "1") +
                                 Raw.encode("DEBUG", "SLEEP", "1"))
            replies.append(sleeper.read())
            replies.append(sleeper.read())
            done.set()

        t = threading.Thread(target=run_sleep, daemon=True)
        t.start()
        deadline = time.monotonic() + TIMEOUT
        while other.call("GET", "debugsleep:marker") is None:
            assert time.monotonic() < deadline, "the sleeper's SET never became visible"
        served_before_sleep_reply = 0
        for i in range(50):
            assert other.call("INCR", "debugsleep:counter") >= 1
            if not done.is_set():
                served_before_sleep_reply += 1
        assert served_before_sleep_reply == 50, (
            "the other worker's client was held up by DEBUG SLEEP (%d of 50 served before its "
            "reply)" % served_before_sleep_reply)
        t.join(TIMEOUT)
        assert replies == ["OK", "OK"]
    finally:
        for c in conns:
            c.close()


def test_debug_misc(server, raw):
    assert raw.call("DEBUG", "SLEEP", "0") == "OK"
    err = raw.call("DEBUG", "NOSUCHSUBCOMMAND")
    assert isinstance(err, Err)


def test_memory_usage(server, fresh):
    fresh.set("small", "x")
    fresh.set("big", "x" * 10000)
    small = fresh.memory_usage("small")
    big = fresh.memory_usage("big")
    assert isinstance(small, int) and small > 0
    assert big >= 10000 and big > small
    assert fresh.memory_usage("nokey") is None
    assert fresh.execute_command("MEMORY", "USAGE", "big", "SAMPLES", "5") == big


def test_shutdown_exits_with_code_zero():
    s = ServerProcess()
    s.start(workers=2)
    try:
        c = Raw(s.port)
        c.send("SHUTDOWN")
        c.sock.settimeout(TIMEOUT)
        try:
            data = c.sock.recv(100)
        except ConnectionResetError:
            data = b""
        assert data == b""  # no reply: the connection closes as the server exits
        c.close()
        proc = getattr(s, "proc", None) or getattr(s, "process", None)
        if proc is not None:
            assert proc.wait(TIMEOUT) == 0
        else:
            deadline = time.monotonic() + TIMEOUT
            while os.path.exists("/proc/%d" % s.pid):
                assert time.monotonic() < deadline, "server did not exit after SHUTDOWN"
                time.sleep(0.05)
    finally:
        s.stop()


def test_shutdown_via_redis_cli():
    s = ServerProcess()
    s.start(workers=1)
    try:
        rc, out = cli(s.port, "shutdown", "nosave")
        assert out == ""  # redis-cli says nothing when the server goes away on SHUTDOWN
        proc = getattr(s, "proc", None) or getattr(s, "process", None)
        if proc is not None:
            assert proc.wait(TIMEOUT) == 0
    finally:
        s.stop()


# ---------------------------------------------------------------------------------------------
# Key commands.
# ---------------------------------------------------------------------------------------------
def test_del_unlink_exists_type(server, fresh):
    fresh.mset({"a": 1, "b": 2, "c": 3})
    assert fresh.exists("a", "a", "b", "nokey") == 3
    assert fresh.type("a") == b"string"
    assert fresh.type("nokey") == b"none"
    assert fresh.delete("a", "nokey", "a") == 1
    assert fresh.unlink("b", "c", "nokey") == 2
    assert fresh.exists("a", "b", "c") == 0
    assert cli(fresh.connection_pool.connection_kwargs["port"], "exists", "a") == (0, "0\n")


def test_rename_renamenx(server, fresh):
    fresh.set("src", "v", ex=100)
    assert fresh.rename("src", "dst") is True
    assert fresh.get("dst") == b"v" and fresh.exists("src") == 0
    assert 0 < fresh.ttl("dst") <= 100  # TTL moves with the key
    assert fresh.rename("dst", "dst") is True
    fresh.set("other", "o")
    assert fresh.renamenx("dst", "other") is False
    assert fresh.renamenx("dst", "fresh") is True
    assert fresh.get("fresh") == b"v"
    fresh.set("plain", "p")
    assert fresh.rename("plain", "fresh") is True  # overwrites, and drops the TTL
    assert fresh.ttl("fresh") == -1


def test_copy(server, fresh):
    fresh.set("s", "v", ex=100)
    assert fresh.copy("s", "t") is True
    assert fresh.get("t") == b"v" and 0 < fresh.ttl("t") <= 100
    fresh.set("u", "old")
    assert fresh.copy("s", "u") is False
    assert fresh.copy("s", "u", replace=True) is True
    assert fresh.get("u") == b"v"
    assert fresh.copy("nokey", "x") is False
    assert fresh.copy("s", "s2", destination_db=2) is True
    db2 = server.client(db=2)
    assert db2.get("s2") == b"v"
    db2.close()


def test_move(server, fresh):
    db1 = server.client(db=1)
    fresh.set("m", "v")
    assert fresh.move("m", 1) is True
    assert fresh.exists("m") == 0 and db1.get("m") == b"v"
    fresh.set("m", "again")
    assert fresh.move("m", 1) is False  # exists in the target
    assert fresh.get("m") == b"again"
    assert fresh.move("nokey", 1) is False
    db1.close()


def test_keys_scan(server, fresh):
    names = ["user:%d" % i for i in range(200)] + ["other:%d" % i for i in range(50)]
    fresh.mset({n: n for n in names})
    assert sorted(fresh.keys("user:*")) == sorted(n.encode() for n in names[:200])
    assert sorted(fresh.keys("*")) == sorted(n.encode() for n in names)
    assert fresh.keys("user:1?") == [] or all(len(k) == 7 for k in fresh.keys("user:1?"))
    assert sorted(fresh.keys("user:1?")) == sorted(b"user:1%d" % i for i in range(10))
    assert sorted(fresh.keys("other:[1-2]")) == [b"other:1", b"other:2"]
    assert fresh.keys("nomatch*") == []
    # A full SCAN returns every key at least once.
    seen, cursor, rounds = set(), 0, 0
    while True:
        cursor, batch = fresh.scan(cursor, count=17)
        seen.update(batch)
        rounds += 1
        if cursor == 0:
            break
        assert rounds < 10000
    assert seen == {n.encode() for n in names}
    seen = set(fresh.scan_iter(match="other:*", count=30))
    assert seen == {n.encode() for n in names[200:]}
    assert set(fresh.scan_iter(_type="string")) == {n.encode() for n in names}
    assert set(fresh.scan_iter(_type="list")) == set()


def test_randomkey(server, fresh):
    assert fresh.randomkey() is None
    fresh.mset({"a": 1, "b": 2, "c": 3})
    for _ in range(20):
        assert fresh.randomkey() in (b"a", b"b", b"c")


def test_touch_object(server, fresh):
    fresh.set("i", "12345")
    fresh.set("e", "short")
    fresh.set("raw", "x" * 100)
    assert fresh.touch("i", "e", "nokey") == 2
    c = Raw(server.port)
    try:
        assert c.call("OBJECT", "ENCODING", "i") == b"int"
        assert c.call("OBJECT", "ENCODING", "e") == b"embstr"
        assert c.call("OBJECT", "ENCODING", "raw") == b"raw"
        assert c.call("OBJECT", "ENCODING", "nokey") is None
        assert c.call("OBJECT", "REFCOUNT", "e") >= 1
        assert c.call("OBJECT", "REFCOUNT", "nokey") is None
        idle = c.call("OBJECT", "IDLETIME", "e")
        assert isinstance(idle, int) and idle >= 0
        helptext = c.call("OBJECT", "HELP")
    finally:
        c.close()
    assert helptext[0].startswith("OBJECT <subcommand>")


def test_expire_family(server, fresh):
    fresh.set("k", "v")
    assert fresh.ttl("k") == -1 and fresh.pttl("k") == -1
    assert fresh.ttl("nokey") == -2 and fresh.pttl("nokey") == -2
    assert fresh.expiretime("k") == -1 if hasattr(fresh, "expiretime") else True
    assert fresh.execute_command("EXPIRETIME", "k") == -1
    assert fresh.execute_command("EXPIRETIME", "nokey") == -2
    assert fresh.execute_command("PEXPIRETIME", "nokey") == -2
    assert fresh.expire("k", 100) is True
    assert 0 < fresh.ttl("k") <= 100 and 0 < fresh.pttl("k") <= 100000
    now = int(fresh.execute_command("TIME")[0])
    et = fresh.execute_command("EXPIRETIME", "k")
    assert now + 90 <= et <= now + 110
    pet = fresh.execute_command("PEXPIRETIME", "k")
    assert abs(et * 1000 - pet) <= 1000
    # NX / XX / GT / LT.
    assert fresh.execute_command("EXPIRE", "k", "200", "NX") == 0
    assert fresh.execute_command("EXPIRE", "k", "200", "XX") == 1
    assert fresh.execute_command("EXPIRE", "k", "100", "GT") == 0
    assert fresh.execute_command("EXPIRE", "k", "300", "GT") == 1
    assert fresh.execute_command("EXPIRE", "k", "400", "LT") == 0
    assert fresh.execute_command("EXPIRE", "k", "50", "LT") == 1
    assert 0 < fresh.ttl("k") <= 50
    fresh.set("p", "v")
    assert fresh.execute_command("EXPIRE", "p", "100", "XX") == 0
    assert fresh.execute_command("EXPIRE", "p", "100", "GT") == 0  # no TTL counts as infinite
    assert fresh.execute_command("EXPIRE", "p", "100", "LT") == 1
    assert fresh.persist("p") is True and fresh.persist("p") is False
    assert fresh.ttl("p") == -1
    assert fresh.execute_command("EXPIRE", "nokey", "100") == 0
    # Absolute forms.
    assert fresh.execute_command("EXPIREAT", "p", now + 1000) == 1
    assert fresh.execute_command("EXPIRETIME", "p") == now + 1000
    assert fresh.execute_command("PEXPIREAT", "p", (now + 2000) * 1000 + 123) == 1
    assert fresh.execute_command("PEXPIRETIME", "p") == (now + 2000) * 1000 + 123
    assert fresh.execute_command("PEXPIRE", "p", "100000") == 1
    assert 0 < fresh.pttl("p") <= 100000
    # A time in the past deletes the key.
    assert fresh.execute_command("EXPIRE", "p", "-1") == 1
    assert fresh.exists("p") == 0
    fresh.set("q", "v")
    assert fresh.execute_command("EXPIREAT", "q", "1") == 1
    assert fresh.exists("q") == 0
    # SET without KEEPTTL clears the TTL; with KEEPTTL keeps it.
    fresh.set("t", "v", ex=100)
    fresh.set("t", "w", keepttl=True)
    assert 0 < fresh.ttl("t") <= 100
    fresh.set("t", "x")
    assert fresh.ttl("t") == -1


def test_lazy_expiry(server, fresh):
    fresh.set("lazy", "v", px=50)
    time.sleep(0.1)
    assert fresh.get("lazy") is None
    assert fresh.exists("lazy") == 0
    assert fresh.ttl("lazy") == -2


def test_active_expiry(server, fresh):
    # 100 keys that are never touched again disappear through the active expiry cycle.
    pipe = fresh.pipeline(transaction=False)
    for i in range(100):
        pipe.set("active:%d" % i, "v", px=50)
    pipe.execute()
    deadline = time.monotonic() + 10
    while fresh.dbsize() != 0:
        assert time.monotonic() < deadline, "active expiry left %d keys" % fresh.dbsize()
        time.sleep(0.1)
    assert fresh.info("stats")["expired_keys"] >= 100


# ---------------------------------------------------------------------------------------------
# String commands.
# ---------------------------------------------------------------------------------------------
def test_get_set_options(server, fresh):
    assert fresh.get("k") is None
    assert fresh.set("k", "v") is True
    assert fresh.get("k") == b"v"
    assert fresh.set("k", "w", nx=True) is None
    assert fresh.set("k", "w", xx=True) is True
    assert fresh.set("nokey", "w", xx=True) is None
    assert fresh.set("k", "x", get=True) == b"w"
    assert fresh.set("new", "x", get=True) is None
    c = Raw(server.port)
    try:
        assert c.call("SET", "k", "y", "NX", "GET") == b"x"  # 7.0: NX with GET
    finally:
        c.close()
    assert fresh.get("k") == b"x"
    fresh.set("k", "v", ex=100)
    assert 0 < fresh.ttl("k") <= 100
    fresh.set("k", "v", px=100000)
    assert 0 < fresh.pttl("k") <= 100000
    now = int(fresh.execute_command("TIME")[0])
    fresh.set("k", "v", exat=now + 500)
    assert fresh.execute_command("EXPIRETIME", "k") == now + 500
    fresh.set("k", "v", pxat=(now + 600) * 1000)
    assert fresh.execute_command("PEXPIRETIME", "k") == (now + 600) * 1000
    value = bytes(range(256)) * 4
    fresh.set("bin", value)
    assert fresh.get("bin") == value


def test_setnx_setex_psetex_getset_getdel_getex(server, fresh):
    assert fresh.setnx("a", "1") is True
    assert fresh.setnx("a", "2") is False
    assert fresh.get("a") == b"1"
    assert fresh.setex("b", 100, "x") is True
    assert 0 < fresh.ttl("b") <= 100
    assert fresh.psetex("c", 100000, "y") is True
    assert 0 < fresh.pttl("c") <= 100000
    assert fresh.getset("a", "3") == b"1"
    assert fresh.getset("newkey", "n") is None
    assert fresh.getdel("a") == b"3"
    assert fresh.getdel("a") is None
    fresh.set("g", "v")
    assert fresh.getex("g") == b"v" and fresh.ttl("g") == -1
    assert fresh.getex("g", ex=100) == b"v" and 0 < fresh.ttl("g") <= 100
    assert fresh.getex("g", px=200000) == b"v" and 100000 < fresh.pttl("g") <= 200000
    assert fresh.getex("g", persist=True) == b"v" and fresh.ttl("g") == -1
    now = int(fresh.execute_command("TIME")[0])
    assert fresh.getex("g", exat=now + 300) == b"v"
    assert fresh.execute_command("EXPIRETIME", "g") == now + 300
    assert fresh.getex("nokey") is None


def test_mget_mset_msetnx(server, fresh):
    assert fresh.mset({"a": "1", "b": "2"}) is True
    assert fresh.mget("a", "nokey", "b") == [b"1", None, b"2"]
    assert fresh.msetnx({"c": "3", "a": "x"}) is False
    assert fresh.exists("c") == 0
    assert fresh.msetnx({"c": "3", "d": "4"}) is True
    assert fresh.mget("c", "d") == [b"3", b"4"]
    # The last value wins for a repeated key.
    fresh.execute_command("MSET", "r", "1", "r", "2")
    assert fresh.get("r") == b"2"


def test_append_strlen_getrange_setrange(server, fresh):
    assert fresh.append("s", "Hello") == 5
    assert fresh.append("s", " World") == 11
    assert fresh.strlen("s") == 11 and fresh.strlen("nokey") == 0
    assert fresh.getrange("s", 0, 4) == b"Hello"
    assert fresh.getrange("s", -5, -1) == b"World"
    assert fresh.getrange("s", 5, 2) == b""
    assert fresh.getrange("s", 0, 1000) == b"Hello World"
    assert fresh.getrange("nokey", 0, 10) == b""
    assert fresh.substr("s", 6, 8) == b"Wor"
    assert fresh.setrange("s", 6, "Redis") == 11
    assert fresh.get("s") == b"Hello Redis"
    assert fresh.setrange("pad", 5, "x") == 6
    assert fresh.get("pad") == b"\x00" * 5 + b"x"
    assert fresh.setrange("nokey2", 0, "") == 0
    assert fresh.exists("nokey2") == 0
    fresh.set("n", 12345)
    assert fresh.append("n", "6") == 6 and fresh.get("n") == b"123456"


def test_incr_decr_family(server, fresh):
    assert fresh.incr("n") == 1
    assert fresh.incrby("n", 10) == 11
    assert fresh.decr("n") == 10
    assert fresh.decrby("n", 20) == -10
    assert fresh.execute_command("INCRBY", "n", "-5") == -15
    fresh.set("big", "9223372036854775806")
    assert fresh.incr("big") == 9223372036854775807
    assert fresh.incrbyfloat("f", 1.5) == 1.5
    c = Raw(server.port)
    try:
        # The reply is a bulk string in Redis's %.17Lg format, trailing zeros removed.
        assert c.call("INCRBYFLOAT", "f", "0.1") == b"1.6"
        c.call("SET", "f2", "10.50")
        assert c.call("INCRBYFLOAT", "f2", "0.1") == b"10.6"
        c.call("SET", "f3", "5.0e3")
        assert c.call("INCRBYFLOAT", "f3", "2.0e2") == b"5200"
        c.call("SET", "f4", "3")
        assert c.call("INCRBYFLOAT", "f4", "-3") == b"0"
    finally:
        c.close()
    # INCRBYFLOAT keeps the TTL; INCR keeps it too.
    fresh.set("t", "1", ex=100)
    fresh.incr("t")
    assert 0 < fresh.ttl("t") <= 100
    fresh.incrbyfloat("t", 1)
    assert 0 < fresh.ttl("t") <= 100
    assert fresh.get("t") == b"3"
    fresh.set("sp", " 1")
    with pytest.raises(redis.exceptions.ResponseError):
        fresh.incr("sp")


def test_lcs(server, fresh):
    fresh.mset({"key1": "ohmytext", "key2": "mynewtext"})
    assert fresh.execute_command("LCS", "key1", "key2") == b"mytext"
    assert fresh.execute_command("LCS", "key1", "key2", "LEN") == 6
    idx = fresh.execute_command("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4",
                                "WITHMATCHLEN")
    assert idx == [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    idx = fresh.execute_command("LCS", "key1", "key2", "IDX")
    assert idx == [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert fresh.execute_command("LCS", "key1", "nokey") == b""


def test_bit_commands(server, fresh):
    assert fresh.setbit("b", 7, 1) == 0
    assert fresh.setbit("b", 7, 1) == 1
    assert fresh.get("b") == b"\x01"
    assert fresh.getbit("b", 7) == 1 and fresh.getbit("b", 100) == 0
    assert fresh.getbit("nokey", 0) == 0
    fresh.set("s", "foobar")
    assert fresh.bitcount("s") == 26
    assert fresh.bitcount("s", 0, 0) == 4
    assert fresh.bitcount("s", 1, 1) == 6
    assert fresh.execute_command("BITCOUNT", "s", "5", "30", "BIT") == 17
    assert fresh.execute_command("BITCOUNT", "s", "-2", "-1") == 7
    assert fresh.bitcount("nokey") == 0
    fresh.set("p", b"\xff\xf0\x00")
    assert fresh.bitpos("p", 0) == 12
    fresh.set("p2", b"\x00\xff\xf0")
    assert fresh.bitpos("p2", 1, 0) == 8
    assert fresh.bitpos("p2", 1, 2) == 16
    assert fresh.execute_command("BITPOS", "p2", "1", "7", "15", "BIT") == 8
    assert fresh.bitpos("nokey", 1) == -1
    assert fresh.bitpos("nokey", 0) == 0
    fresh.set("z", b"\x00\x00")
    assert fresh.bitpos("z", 1) == -1
    fresh.set("x1", "foobar")
    fresh.set("x2", "abcdef")
    assert fresh.bitop("AND", "dest", "x1", "x2") == 6
    assert fresh.get("dest") == b"`bc`ab"
    assert fresh.bitop("OR", "dest", "x1", "x2") == 6
    assert fresh.get("dest") == b"goofev"
    assert fresh.bitop("XOR", "dest", "x1", "x2") == 6
    assert fresh.get("dest") == bytes(a ^ b for a, b in zip(b"foobar", b"abcdef"))
    assert fresh.bitop("NOT", "dest", "x1") == 6
    assert fresh.get("dest") == bytes(~a & 0xFF for a in b"foobar")
    assert fresh.bitop("AND", "dest", "nokey1", "nokey2") == 0
    assert fresh.exists("dest") == 0


def test_bitfield(server, fresh):
    assert fresh.execute_command("BITFIELD", "bf", "SET", "i8", "0", "100",
                                 "GET", "u4", "0") == [0, 6]
    assert fresh.execute_command("BITFIELD", "bf", "INCRBY", "i5", "100", "1",
                                 "GET", "u4", "0") == [1, 6]
    # Overflow behaviours.
    fresh.delete("mykey")
    got = [fresh.execute_command("BITFIELD", "mykey", "INCRBY", "u2", "100", "1",
                                 "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1") for _ in range(4)]
    assert got == [[1, 1], [2, 2], [3, 3], [0, 3]]
    assert fresh.execute_command("BITFIELD", "ov", "OVERFLOW", "FAIL",
                                 "INCRBY", "u2", "0", "5") == [None]
    assert fresh.execute_command("BITFIELD", "ov", "OVERFLOW", "WRAP",
                                 "INCRBY", "i8", "0", "200") == [-56]
    # '#' offsets are multiplied by the type width.
    assert fresh.execute_command("BITFIELD", "h", "SET", "u8", "#1", "255",
                                 "GET", "u8", "8") == [0, 255]
    assert fresh.execute_command("BITFIELD_RO", "h", "GET", "u8", "#1") == [255]
    assert fresh.execute_command("BITFIELD_RO", "nokey", "GET", "u8", "0") == [0]
    assert fresh.execute_command("BITFIELD", "empty") == []
