"""What each command writes to the AOF, compared with redis-server 7.0.

The same commands run against stmkv and against Debian's redis-server (both with
appendonly yes, appendfsync always, in their own temporary directories); after each case the
records appended to each server's incremental AOF file (appendonlydir/*.incr.aof) are parsed
and compared after normalization: command names upper-cased, absolute timestamps near now
(PXAT / PEXPIREAT / RESTORE ... ABSTTL computed from relative TTLs) replaced by <ms>,
SELECTs that do not change the database dropped, and, where a case says so, random members
replaced by * or the order ignored (active expiry). A restart case checks that stmkv loads
its own AOF into the same data after the TTLs passed.

Skipped when redis-server is not installed or this stmkv build writes no AOF. Bounded: about
10 s.
"""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import ServerProcess, free_port

REDIS_SERVER = shutil.which("redis-server")


def parse_resp(data):
    """The complete RESP arrays of data, as lists of str (latin-1)."""
    out, i = [], 0
    try:
        while i < len(data):
            j = data.index(b"\r\n", i)
            n = int(data[i + 1:j])
            i = j + 2
            args = []
            for _ in range(n):
                j = data.index(b"\r\n", i)
                ln = int(data[i + 1:j])
                i = j + 2
                args.append(data[i:i + ln].decode("latin-1"))
                i += ln + 2
            out.append(args)
    except ValueError:
        pass
    return out


class AofReader:
    """Reads the records appended to a server's newest incremental AOF since the last read."""

    def __init__(self, directory):
        self.dir = os.path.join(directory, "appendonlydir")
        self.offset = 0
        self.db = None

    def path(self):
        files = glob.glob(os.path.join(self.dir, "*.incr.aof"))
        if not files:
            return None
        return max(files, key=lambda p: int(p.rsplit(".", 3)[-3]))

    def read(self):
        path = self.path()
        if path is None:
            return []
        with open(path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        out = []
        for args in parse_resp(data):
            args[0] = args[0].upper()
            if args[0] == "SELECT":  # keep only SELECTs that change the database
                if args[1] == self.db:
                    continue
                self.db = args[1]
            out.append(args)
        return out


def normalize(records, random_members=False, flatten=False):
    now = int(time.time() * 1000)
    out = []
    for args in records:
        if flatten and args[0] in ("MULTI", "EXEC"):
            continue
        args = ["<ms>" if a.isdigit() and abs(int(a) - now) < 10**9 else a for a in args]
        if random_members and args[0] == "SREM":
            args = args[:2] + ["*"] * (len(args) - 2)
        out.append(" ".join(args))
    return out


@pytest.fixture(scope="module")
def pair():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    ours_dir = tempfile.mkdtemp(prefix="stmkv-aof-effects-")
    redis_dir = tempfile.mkdtemp(prefix="redis-aof-effects-")
    ours = ServerProcess()
    try:
        ours.start(workers=2, extra_args=["--appendonly", "yes", "--appendfsync", "always",
                                          "--dir", ours_dir])
    except RuntimeError as e:
        shutil.rmtree(ours_dir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)
        if "appendonly" not in str(e):
            raise
        pytest.skip("this stmkv build has no AOF (appendonly yes refused)")
    port = free_port()
    log = open(os.path.join(redis_dir, "redis.log"), "wb")
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                             "--dir", redis_dir, "--daemonize", "no"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        theirs = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
        deadline = time.monotonic() + 10
        while True:
            try:
                theirs.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        mine = ours.client()
        mine.ping()
        if AofReader(ours_dir).path() is None:
            pytest.skip("this stmkv build writes no AOF (appendonlydir/*.incr.aof missing)")
        yield (mine, AofReader(ours_dir), ours, theirs, AofReader(redis_dir), port)
        mine.close()
        theirs.close()
    finally:
        ours.stop()
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(ours_dir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


def compare(pair, commands, random_members=False, flatten=False, sleep_after=0.05,
            unordered=False):
    """Runs commands (lists of args, or callables taking a client) on both servers and expects
    the same normalized records (in any order with unordered: active expiry's timing)."""
    mine, my_reader, _, theirs, their_reader, _ = pair
    my_reader.read()
    their_reader.read()
    for client in (mine, theirs):
        for c in commands:
            if callable(c):
                c(client)
            else:
                try:
                    client.execute_command(*c)
                except redis.ResponseError:
                    pass
    time.sleep(sleep_after)
    got = normalize(my_reader.read(), random_members, flatten)
    want = normalize(their_reader.read(), random_members, flatten)
    if unordered:
        got, want = sorted(got), sorted(want)
    assert got == want
    return got


def test_set_with_expire_and_get(pair):
    got = compare(pair, [["FLUSHALL"], ["SET", "k", "v", "EX", "100"],
                         ["SET", "k", "v2", "PX", "100000", "XX", "GET"],
                         ["SET", "k", "v3", "EXAT", "2000000000"],
                         ["set", "k", "v4", "pxat", "2000000000001"],
                         ["SET", "k", "v5", "KEEPTTL", "GET"], ["SET", "k", "v6", "NX", "GET"],
                         ["SET", "n", "v", "NX", "GET"], ["SET", "old", "v", "EXAT", "1"]],
                  sleep_after=0.4)  # both expire "old" actively (DEL old)
    assert "SET k v PXAT <ms>" in got


def test_setex_getex_getdel_getset(pair):
    compare(pair, [["SETEX", "a", "100", "x"], ["PSETEX", "b", "100000", "y"],
                   ["GETEX", "a", "EX", "100"], ["GETEX", "a", "PX", "100000"],
                   ["GETEX", "a", "EXAT", "2000000000"], ["GETEX", "a", "PXAT", "2000000000001"],
                   ["GETEX", "a"], ["GETEX", "a", "PERSIST"], ["GETEX", "a", "PERSIST"],
                   ["GETEX", "b", "EXAT", "1"], ["GETEX", "none", "EX", "5"],
                   ["GETSET", "a", "z"], ["GETDEL", "a"], ["GETDEL", "a"]])


def test_expire_family(pair):
    compare(pair, [["SET", "k", "v"], ["EXPIRE", "k", "100"], ["PEXPIRE", "k", "200000", "GT"],
                   ["EXPIRE", "k", "100", "NX"], ["EXPIREAT", "k", "2000000000"],
                   ["PEXPIREAT", "k", "2000000000001"], ["PERSIST", "k"], ["PERSIST", "k"],
                   ["EXPIRE", "k", "-1"], ["SET", "k", "v"], ["EXPIREAT", "k", "1"],
                   ["EXPIRE", "none", "10"]])


def test_float_increments(pair):
    compare(pair, [["SET", "f", "1.5"], ["EXPIRE", "f", "100"], ["INCRBYFLOAT", "f", "2.25"],
                   ["INCRBYFLOAT", "nf", "0.1"], ["HINCRBYFLOAT", "h", "x", "1.5"],
                   ["HINCRBYFLOAT", "h", "x", "1e3"]])


def test_spop(pair):
    compare(pair, [["DEL", "s"], ["SADD", "s", *"abcdefghij"], ["SPOP", "s"], ["SPOP", "s", "3"],
                   ["SPOP", "s", "5"], ["SRANDMEMBER", "s", "2"], ["SPOP", "s", "0"],
                   ["SPOP", "s", "10"], ["SADD", "one", "x"], ["SPOP", "one"], ["SPOP", "none"]],
            random_members=True)


def test_list_pops_and_blocking_forms(pair):
    compare(pair, [["DEL", "l", "dst"], ["RPUSH", "l", *"abcdefgh"],
                   ["LMPOP", "1", "l", "RIGHT", "COUNT", "2"], ["LMPOP", "2", "no", "l", "LEFT"],
                   ["BLPOP", "no", "l", "0"], ["BRPOP", "l", "0"],
                   ["BLMOVE", "l", "dst", "left", "RIGHT", "0"], ["BRPOPLPUSH", "l", "dst", "0"],
                   ["BLMPOP", "0", "1", "l", "LEFT", "COUNT", "10"], ["LPOP", "dst", "5"]])


def test_zset_pops(pair):
    compare(pair, [["DEL", "z"], ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
                   ["BZPOPMIN", "z", "0"], ["BZPOPMAX", "no", "z", "0"], ["ZMPOP", "1", "z", "MIN"],
                   ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"], ["ZADD", "z", "1", "a"],
                   ["ZPOPMIN", "z", "5"]])


def test_blocked_client_served_later(pair):
    def blocked_pop(client):
        conf = client.connection_pool.connection_kwargs
        other = redis.Redis(host="127.0.0.1", port=conf["port"], socket_timeout=10)
        t = threading.Thread(target=lambda: other.execute_command("BLMPOP", "5", "1", "wl",
                                                                 "RIGHT", "COUNT", "2"))
        t.start()
        time.sleep(0.2)
        client.execute_command("RPUSH", "wl", "a", "b", "c")
        t.join(10)
        other.close()

    compare(pair, [["DEL", "wl"], blocked_pop])


def test_restore_ttl_is_absttl(pair):
    theirs = pair[3]
    theirs.set("dumped", "v")
    payload = theirs.dump("dumped")  # a Redis 7.0 payload, restored by both
    compare(pair, [["DEL", "r1", "r2", "r3"], ["RESTORE", "r1", "0", payload],
                   ["RESTORE", "r2", "100000", payload],
                   ["RESTORE", "r3", "2000000000000", payload, "ABSTTL"],
                   ["RESTORE", "r2", "100000", payload, "REPLACE", "IDLETIME", "10"],
                   ["RESTORE", "r4", "1", payload, "ABSTTL"],
                   ["RESTORE", "r2", "5", payload, "REPLACE", "ABSTTL"]])


def test_hyperloglog(pair):
    compare(pair, [["DEL", "hll", "hll2", "hll3"], ["PFADD", "hll", "a", "b", "c"],
                   ["PFADD", "hll", "a"], ["PFCOUNT", "hll"], ["PFCOUNT", "hll"],
                   ["PFADD", "hll2", "z"], ["PFCOUNT", "hll", "hll2"],
                   ["PFMERGE", "hll3", "hll", "hll2"]])


def test_keyspace_commands(pair):
    compare(pair, [["FLUSHALL"], ["SET", "a", "1"], ["RPUSH", "l", "3", "1", "2"],
                   ["RENAME", "a", "b"], ["RENAME", "nokey", "x"], ["COPY", "b", "c", "DB", "4"],
                   ["MOVE", "b", "5"], ["SWAPDB", "4", "6"], ["SORT", "l"],
                   ["SORT", "l", "STORE", "sorted"], ["DEL", "nokey", "l"], ["DEL", "nokey"],
                   ["FLUSHDB"], ["FLUSHALL"], ["FLUSHALL", "ASYNC"]])


def test_expired_keys_are_deleted(pair):
    # Redis deletes on the read (GET) at once; stmkv leaves it to active expiry (100 ms ticks):
    # the same DEL, a little later.
    compare(pair, [["SET", "e1", "v", "PX", "20"], ["SET", "e2", "v", "PX", "20"],
                   ["SET", "e3", "v", "PX", "20"], lambda c: time.sleep(0.1),
                   ["APPEND", "e1", "x"], ["GET", "e2"], lambda c: time.sleep(0.4),
                   ["DEL", "e3"]], unordered=True, sleep_after=0.4)


def test_exec_block(pair):
    def block(client):
        p = client.pipeline(transaction=True)
        p.execute_command("SPOP", "only")
        p.execute_command("SETEX", "k", "100", "v")
        p.execute_command("GET", "k")
        p.execute()

    def reads(client):
        p = client.pipeline(transaction=True)
        p.execute_command("GET", "k")
        p.execute()

    compare(pair, [["SADD", "only", "m"], block, reads])


def test_scripts(pair):
    compare(pair, [["EVAL", "return redis.call('set', 'a', '1')", "0"],
                   ["EVAL", "redis.call('set', 'b', '1'); redis.call('incr', 'b'); return 1", "0"],
                   ["EVAL", "redis.call('get', 'a'); return 1", "0"],
                   ["EVAL", "redis.call('set', 'x', '1', 'EX', 100); return 1", "0"],
                   ["EVAL", "redis.call('select', '2'); redis.call('set', 'x', '1'); return 1",
                    "0"],
                   ["EVAL", "redis.call('set', 'y', '1'); redis.call('select', '3'); "
                            "redis.call('set', 'x', '1'); return 1", "0"],
                   ["HSET", "hh", "f", "v"],
                   ["EVAL", "redis.call('set', 'p', '1'); return redis.call('incr', 'hh')", "0"],
                   ["EVAL", "redis.call('set', 'q', '1'); redis.pcall('incr', 'hh'); "
                            "redis.call('set', 'q2', '1'); return 1", "0"],
                   ["SCRIPT", "LOAD", "return 1"], ["SCRIPT", "FLUSH"]])


def test_functions(pair):
    lib = ("#!lua name=efx\nredis.register_function('efx_f', function(keys, args) return "
           "redis.call('set', keys[1], args[1]) end)")
    compare(pair, [["FUNCTION", "LOAD", lib], ["FCALL", "efx_f", "1", "fk", "fv"],
                   ["FUNCTION", "DELETE", "efx"], ["FUNCTION", "DELETE", "efx"]])


def test_restart_replays_the_same_data():
    """stmkv alone: the AOF written, the TTLs passed, a restart loads the same data (keys whose
    TTL was removed before it passed are still there; a SETNX that failed in a block did not
    apply)."""
    directory = tempfile.mkdtemp(prefix="stmkv-aof-restart-")
    args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", directory]
    first = ServerProcess()
    try:
        try:
            first.start(workers=2, extra_args=args)
        except RuntimeError as e:
            if "appendonly" not in str(e):
                raise
            pytest.skip("this stmkv build has no AOF (appendonly yes refused)")
        c = first.client()
        c.set("k", "5", px=300)
        c.persist("k")
        c.set("j", "1", px=300)
        p = c.pipeline(transaction=True)
        p.set("a", "1")
        p.setnx("j", "x")
        p.execute()
        c.persist("j")
        c.set("t", "v", ex=1000)
        c.expire("t", 2000)
        c.sadd("s", *"abcdefgh")
        c.spop("s", 3)
        c.spop("s")
        c.rpush("l", *"abcdef")
        c.lmpop(1, "l", direction="LEFT", count=2)
        c.incrbyfloat("f", 1.25)
        c.set("gone", "v", px=50)
        c.set("based", "v", px=400)   # in the rewritten base, made persistent after it
        c.bgrewriteaof()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            info = c.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                break
            time.sleep(0.05)
        c.persist("based")
        time.sleep(0.5)  # the TTLs above passed; "gone" was actively expired (DEL)
        before = {k: (c.dump(k), c.pexpiretime(k)) for k in c.keys("*")}
        c.close()
        assert first.stop() == 0
        second = ServerProcess()
        second.start(workers=2, extra_args=args)
        try:
            c = second.client()
            after = {k: (c.dump(k), c.pexpiretime(k)) for k in c.keys("*")}
            c.close()
        finally:
            second.stop()
        assert sorted(after) == sorted(before)
        assert after == before
        assert b"k" in after and b"based" in after and b"gone" not in after
    finally:
        first.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_commands_written_as_sent(pair):
    compare(pair, [["FLUSHALL"], ["MSET", "a", "1", "b", "2"], ["MSETNX", "a", "1", "c", "3"],
                   ["MSETNX", "d", "4"], ["SETNX", "a", "9"], ["SETRANGE", "a", "3", "xy"],
                   ["APPEND", "b", "z"], ["INCR", "n"], ["DECRBY", "n", "5"],
                   ["SETBIT", "bits", "7", "1"], ["BITOP", "OR", "dest", "bits", "a"],
                   ["BITFIELD", "bf", "INCRBY", "u8", "0", "300"],
                   ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
                   ["HSET", "h", "f", "v", "g", "w"], ["HSET", "h", "f", "v"],
                   ["HSETNX", "h", "f", "x"], ["HDEL", "h", "g", "none"], ["HDEL", "h", "none"],
                   ["HINCRBY", "h", "n", "3"], ["RPUSH", "l", "a", "b", "c"],
                   ["LINSERT", "l", "BEFORE", "b", "x"], ["LSET", "l", "0", "z"],
                   ["LREM", "l", "0", "none"], ["LTRIM", "l", "0", "1"], ["LPUSHX", "none", "a"],
                   ["SADD", "s1", "a", "b"], ["SADD", "s1", "a"], ["SADD", "s2", "b", "c"],
                   ["SREM", "s1", "none"], ["SMOVE", "s1", "s2", "a"],
                   ["SINTERSTORE", "si", "s1", "s2"], ["SUNIONSTORE", "su", "s1", "s2"],
                   ["SDIFFSTORE", "sd", "s2", "s1"], ["ZADD", "z", "1", "a", "2", "b"],
                   ["ZADD", "z", "1", "a"], ["ZADD", "z", "XX", "CH", "5", "a"],
                   ["ZINCRBY", "z", "1.5", "b"], ["ZREM", "z", "none"],
                   ["ZUNIONSTORE", "zu", "1", "z"], ["ZRANGESTORE", "zr", "z", "0", "0"],
                   ["ZREMRANGEBYSCORE", "z", "100", "200"], ["ZREMRANGEBYRANK", "zu", "0", "0"],
                   ["PERSIST", "a"], ["UNLINK", "a", "none"], ["COPY", "b", "b2"]])
