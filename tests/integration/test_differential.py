"""Differential test: seeded random command sequences sent to stmkv and to Redis 7.0.

Both servers get the same commands, one at a time, on one connection each; their replies are
compared as parsed RESP values (errors by their full text). Commands whose replies legitimately
differ are left out (INFO, TIME, CLIENT ID, RANDOMKEY, OBJECT IDLETIME/FREQ, MEMORY USAGE, DEBUG)
or compared by class (TTL-like replies: -2, -1 or positive). KEYS replies are compared sorted,
and SCAN is compared as the set of keys of a full iteration. On a mismatch the test prints the
seed and the command history so that the sequence can be replayed.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import time

import pytest

REDIS_SERVER = shutil.which("redis-server")
TIMEOUT = 10
SEEDS = [1, 2, 3, 4, 5, 6]
COMMANDS_PER_SEED = 400


# ---------------------------------------------------------------------------------------------
# A minimal RESP2 client (replies parsed into Python values; errors as Err, never raised).
# ---------------------------------------------------------------------------------------------
class Err(str):
    def __repr__(self):
        return "Err(%s)" % str.__repr__(self)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def close(self):
        self.sock.close()

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

    def _read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return Err(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise AssertionError("unexpected RESP2 type byte %r" % t)

    def call(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))
        return self._read()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def reference():
    """Debian's redis-server 7.0 on a free port, stopped by PID."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            c = Conn(port)
            ok = c.call("PING") == "PONG"
            c.close()
            if ok:
                break
        except OSError:
            pass
        assert proc.poll() is None, "redis-server exited at start"
        assert time.monotonic() < deadline, "redis-server did not answer PING"
        time.sleep(0.05)
    proc.port = port
    yield proc
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(TIMEOUT)


# ---------------------------------------------------------------------------------------------
# The command generator.
# ---------------------------------------------------------------------------------------------
KEYS = ["k0", "k1", "k2", "k3", "k4", "num", "flt", "bits"]
VALUES = ["", "0", "1", "-1", "42", "007", "3.14", "-2.5", "1e3", " 5", "0x10", "abc", "hello world",
          "9223372036854775807", "-9223372036854775808", "18446744073709551616",
          "x" * 50, "ohmytext", "mynewtext", "\x00\xff\x80"]
INTS = ["0", "1", "-1", "5", "100", "-100", "9223372036854775807", "-9223372036854775808",
        "abc", "1.5", "", " 1", "99999999999999999999"]
FLOATS = ["0", "1", "-1", "0.1", "1.5", "-2.25", "1e2", "5.0e3", "abc", "inf", "-inf", "nan",
          "", "3"]
# TTL-like replies are compared by class: -2, -1, or "positive".
TTL_LIKE = {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}


def gen_command(rng):
    """One random command (a list of strings)."""
    k = lambda: rng.choice(KEYS)
    v = lambda: rng.choice(VALUES)
    i = lambda: rng.choice(INTS)
    small = lambda: str(rng.randint(-12, 20))
    ttl_s = lambda: str(rng.choice([1000, 5000, 100000, 0, -1]))
    kind = rng.randrange(60)
    if kind == 0:
        return ["GET", k()]
    if kind in (1, 2, 3):
        cmd = ["SET", k(), v()]
        opts = []
        if rng.random() < 0.3:
            opts.append(rng.choice(["NX", "XX"]))
        if rng.random() < 0.2:
            opts.append("GET")
        r = rng.random()
        if r < 0.2:
            opts += ["EX", ttl_s()]
        elif r < 0.3:
            opts += ["PX", str(rng.choice([1000000, 0, 123456789]))]
        elif r < 0.4:
            opts.append("KEEPTTL")
        elif r < 0.45:
            opts += ["EX", "notanumber"]
        elif r < 0.5:
            opts.append(rng.choice(["BOGUS", "EX"]))
        rng.shuffle(opts) if rng.random() < 0.1 else None
        return cmd + opts
    if kind == 4:
        return ["SETNX", k(), v()]
    if kind == 5:
        return ["SETEX", k(), ttl_s(), v()]
    if kind == 6:
        return ["PSETEX", k(), str(rng.choice([1000000, 0, -5])), v()]
    if kind == 7:
        return ["GETSET", k(), v()]
    if kind == 8:
        return ["GETDEL", k()]
    if kind == 9:
        opt = rng.choice([[], ["EX", ttl_s()], ["PX", "1000000"], ["PERSIST"], ["EX"],
                          ["PERSIST", "EX", "10"], ["FOO"]])
        return ["GETEX", k()] + opt
    if kind == 10:
        return ["MGET"] + [k() for _ in range(rng.randint(1, 4))]
    if kind == 11:
        args = []
        for _ in range(rng.randint(1, 3)):
            args += [k(), v()]
        if rng.random() < 0.1:
            args.pop()
        return [rng.choice(["MSET", "MSETNX"])] + args
    if kind == 12:
        return ["APPEND", k(), v()]
    if kind == 13:
        return ["STRLEN", k()]
    if kind == 14:
        return [rng.choice(["GETRANGE", "SUBSTR"]), k(), small(), small()]
    if kind == 15:
        return ["SETRANGE", k(), rng.choice(["0", "3", "10", "-1", "x"]), v()]
    if kind in (16, 17):
        return [rng.choice(["INCR", "DECR"]), rng.choice(["num", "num", k()])]
    if kind in (18, 19):
        return [rng.choice(["INCRBY", "DECRBY"]), rng.choice(["num", k()]), i()]
    if kind == 20:
        return ["INCRBYFLOAT", rng.choice(["flt", "flt", k()]), rng.choice(FLOATS)]
    if kind == 21:
        opts = rng.choice([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"],
                           ["IDX", "MINMATCHLEN", str(rng.randint(0, 4))],
                           ["IDX", "MINMATCHLEN", "x"], ["BOGUS"]])
        return ["LCS", k(), k()] + opts
    if kind == 22:
        return ["SETBIT", rng.choice(["bits", k()]), str(rng.choice([0, 1, 7, 8, 15, 31, 64, -1])),
                rng.choice(["0", "1", "1", "2"])]
    if kind == 23:
        return ["GETBIT", rng.choice(["bits", k()]), str(rng.randint(0, 70))]
    if kind == 24:
        opt = rng.choice([[], [small(), small()], [small(), small(), "BYTE"],
                          [small(), small(), "BIT"], ["0"], ["0", "1", "FOO"]])
        return ["BITCOUNT", rng.choice(["bits", k()])] + opt
    if kind == 25:
        opt = rng.choice([[], [small()], [small(), small()], [small(), small(), "BIT"],
                          [small(), small(), "BYTE"]])
        return ["BITPOS", rng.choice(["bits", k()]), rng.choice(["0", "1", "2"])] + opt
    if kind == 26:
        op = rng.choice(["AND", "OR", "XOR", "NOT", "FOO"])
        srcs = [rng.choice(["bits", k()]) for _ in range(rng.randint(1, 3))]
        return ["BITOP", op, k()] + srcs
    if kind == 27:
        args = []
        for _ in range(rng.randint(1, 3)):
            t = rng.choice(["u1", "u4", "u8", "i5", "i8", "u16", "i64", "u64", "u63"])
            off = rng.choice(["0", "3", "#1", "100", "-1"])
            sub = rng.choice(["GET", "SET", "INCRBY", "OVERFLOW"])
            if sub == "GET":
                args += ["GET", t, off]
            elif sub == "OVERFLOW":
                args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL", "NOPE"])]
            else:
                args += [sub, t, off, rng.choice(INTS[:6] + ["x"])]
        return [rng.choice(["BITFIELD", "BITFIELD", "BITFIELD_RO"]), rng.choice(["bits", k()])] \
            + args
    if kind in (28, 29):
        return [rng.choice(["DEL", "UNLINK", "EXISTS", "TOUCH"])] + \
            [k() for _ in range(rng.randint(1, 3))]
    if kind == 30:
        return ["TYPE", k()]
    if kind in (31, 32):
        return [rng.choice(["RENAME", "RENAMENX"]), k(), k()]
    if kind == 33:
        opt = rng.choice([[], ["REPLACE"], ["DB", "1"], ["DB", "0", "REPLACE"], ["DB", "x"],
                          ["FOO"]])
        return ["COPY", k(), k()] + opt
    if kind == 34:
        return ["MOVE", k(), rng.choice(["1", "1", "0", "16", "x"])]
    if kind == 35:
        return ["KEYS", rng.choice(["*", "k*", "k[0-2]", "?um", "nomatch", "*t*"])]
    if kind == 36:
        return ["SCAN*"] + rng.choice([[], ["MATCH", "k*"], ["TYPE", "string"],
                                       ["TYPE", "list"], ["COUNT", "2"]])
    if kind in (37, 38):
        cmd = rng.choice(["EXPIRE", "PEXPIRE"])
        # Never short enough to expire while the sequence runs (both servers must agree).
        n = rng.choice(["1000", "100000", "5000000", "-1", "0", "x", "99999999999999999"])
        if cmd == "PEXPIRE" and n in ("1000", "100000"):
            n += "000"
        opt = rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["NX", "XX"], ["FOO"]])
        return [cmd, k(), n] + opt
    if kind == 39:
        cmd = rng.choice(["EXPIREAT", "PEXPIREAT"])
        now = int(time.time()) + 100000
        n = str(now * 1000 if cmd == "PEXPIREAT" else now)
        return [cmd, k(), rng.choice([n, "1", "x"])]
    if kind in (40, 41):
        return [rng.choice(sorted(TTL_LIKE)), k()]
    if kind == 42:
        return ["PERSIST", k()]
    if kind == 43:
        return ["DBSIZE"]
    if kind == 44:
        return ["OBJECT", "ENCODING", k()]
    if kind == 45:
        return ["SELECT", rng.choice(["0", "0", "1", "16", "x"])]
    if kind == 46:
        return ["SWAPDB", rng.choice(["0", "1"]), rng.choice(["0", "1", "x"])]
    if kind == 47:
        return ["FLUSHDB"] if rng.random() < 0.3 else ["EXISTS", k()]
    if kind == 48:
        return ["ECHO", v()]
    if kind == 49:
        return ["PING"] + rng.choice([[], ["hi"], ["a", "b"]])
    if kind == 50:
        # Wrong arity: a random prefix or an extension of a valid command.
        base = gen_command(rng)
        if base[0] == "SCAN*":
            return ["SCAN"]
        return base[:rng.randint(1, max(1, len(base) - 1))] if rng.random() < 0.7 else \
            base + ["extra"] * rng.randint(1, 3)
    if kind == 51:
        return ["NOSUCHCOMMAND", k()]
    if kind == 52:
        return ["MEMORY", "USAGE", "nokey-at-all"]
    if kind == 53:
        return ["EXISTS"] + [k() for _ in range(5)]
    # The rest: plain reads and writes of the small key space.
    return rng.choice([["GET", k()], ["SET", k(), v()], ["INCR", "num"], ["MGET", k(), k()]])


def full_scan(conn, extra):
    keys, cursor, rounds = set(), b"0", 0
    while True:
        reply = conn.call("SCAN", cursor, *extra)
        if isinstance(reply, Err):
            return reply
        cursor, batch = reply
        keys.update(batch)
        rounds += 1
        if cursor == b"0" or rounds > 10000:
            return sorted(keys)


def normalize(cmd, reply):
    """Maps a reply to what must be equal across servers."""
    name = cmd[0].upper()
    if isinstance(reply, Err):
        return reply
    if name in TTL_LIKE and isinstance(reply, int):
        return reply if reply < 0 else "positive"
    if name == "KEYS" and isinstance(reply, list):
        return sorted(reply)
    return reply


def run(conn, cmd):
    if cmd[0] == "SCAN*":
        return full_scan(conn, cmd[1:])
    return normalize(cmd, conn.call(*cmd))


def format_history(seed, history):
    lines = ["seed %d, %d commands; replay with redis-cli (stmkv | redis):" % (seed, len(history))]
    for n, (cmd, mine, ref) in enumerate(history):
        mark = "  <-- MISMATCH" if mine != ref else ""
        lines.append("%4d  %-60s %r | %r%s" % (n, " ".join(repr(a) if (" " in a or not a)
                                                            else a for a in cmd)[:60],
                                               mine, ref, mark))
    return "\n".join(lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_sequences_match_redis(server, reference, seed):
    rng = random.Random(seed)
    mine, ref = Conn(server.port), Conn(reference.port)
    try:
        for c in (mine, ref):
            assert c.call("FLUSHALL") == "OK"
        history = []
        for _ in range(COMMANDS_PER_SEED):
            cmd = gen_command(rng)
            a, b = run(mine, cmd), run(ref, cmd)
            history.append((cmd, a, b))
            if a != b:
                pytest.fail("reply mismatch\n" + format_history(seed, history))
        # Both keyspaces end up equal (db 0 and db 1), values and TTL classes.
        for db in ("0", "1"):
            snap = []
            for c in (mine, ref):
                c.call("SELECT", db)
                keys = sorted(full_scan(c, []))
                vals = [c.call("GET", k) for k in keys]
                ttls = [normalize(["TTL"], c.call("TTL", k)) for k in keys]
                snap.append((keys, vals, ttls))
            assert snap[0] == snap[1], "db %s differs after seed %d\n%s" % (
                db, seed, format_history(seed, history))
    finally:
        mine.close()
        ref.close()
