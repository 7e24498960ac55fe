"""RDB persistence against Debian's redis-server 7.0: our files pass redis-check-rdb and load into
redis-server with the same data (key by key: type, encoding, contents, absolute expiry), files
written by redis-server load into stmkv the same way; SAVE and restart; BGSAVE while clients run
bank transfers yields a file whose sum is intact; SHUTDOWN SAVE/NOSAVE; DEBUG RELOAD.

Every server runs in its own temporary directory and is stopped by PID; each test is bounded in
time (a few seconds; the BGSAVE test about 15 s).
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import ServerProcess, free_port

REDIS_SERVER = shutil.which("redis-server")
REDIS_CHECK_RDB = shutil.which("redis-check-rdb")
TIMEOUT = 10.0

needs_redis = pytest.mark.skipif(REDIS_SERVER is None or REDIS_CHECK_RDB is None,
                                 reason="redis-server / redis-check-rdb not installed")


class RedisServer:
    """Debian's redis-server on a free port in directory d (loads d/dump.rdb if present)."""

    def __init__(self, d, extra=()):
        self.port = free_port()
        self.log = os.path.join(d, "redis.log")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", d, "--logfile", self.log] +
            list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert self.proc.poll() is None, "redis-server exited:\n" + self.read_log()
            assert time.monotonic() < deadline, "redis-server did not start"
            try:
                if self.client().ping():
                    break
            except redis.exceptions.BusyLoadingError:
                pass
            except redis.exceptions.ConnectionError:
                pass
            time.sleep(0.05)

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def client(self, db=0):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def tmpdir_path():
    d = tempfile.mkdtemp(prefix="stmkv-persist-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def start_stmkv(d, workers=2, extra=()):
    s = ServerProcess()
    s.start(workers=workers, extra_args=["--dir", d] + list(extra))
    return s


def populate(clients):
    """Every type and encoding, binary keys and values, expiries, in all 16 databases.
    clients: one redis-py client per database."""
    rng = random.Random(11)
    binary = b"bin\x00\xff\r\nkey"
    for db, c in enumerate(clients):
        p = c.pipeline(transaction=False)
        p.set("str:%d" % db, "value-%d" % db)
        p.set("int:%d" % db, db * 1000003 - 7)
        p.set("i64:%d" % db, 1 << 40)
        p.set("long:%d" % db, "abc" * 200)                  # LZF
        p.set("rand:%d" % db, bytes(rng.getrandbits(8) for _ in range(300)))  # incompressible
        p.set(binary + bytes([db]), binary * 3)
        p.set("ttl:%d" % db, "x", px=10_000_000 + db)
        p.execute()
    c = clients[0]
    p = c.pipeline(transaction=False)
    p.rpush("list:small", "a", "b", 1, -2, 70000, 1 << 40, "x" * 100)
    p.rpush("list:big", *["e%d" % i for i in range(3000)])   # several quicklist nodes
    p.rpush("list:hugeelem", "y" * 20000, "z")
    p.hset("hash:small", mapping={"f1": "v1", "n": 12, "neg": -5})
    p.hset("hash:big", mapping={"f%d" % i: i for i in range(1000)})
    p.hset("hash:longval", mapping={"f": "v" * 100})
    p.sadd("set:int", 1, -2, 70000, 5000000000)
    p.sadd("set:intbig", *range(1000))
    p.sadd("set:str", "a", "b", "c")
    p.sadd("set:big", *["m%d" % i for i in range(500)])
    p.zadd("zset:small", {"a": 1, "b": 2.5, "c": float("-inf"), "d": 1e300, "e": -0.125})
    p.zadd("zset:big", {"m%d" % i: i / 7 for i in range(300)})
    p.zadd("zset:longmember", {"m" * 100: 3})
    p.rpush(binary, binary)
    p.hset("hash:ttl", "f", "v")
    p.pexpire("hash:ttl", 20_000_000)
    p.execute()


def snapshot(clients):
    """{(db, key): (type, encoding, contents, pexpiretime)} of every key."""
    out = {}
    for db, c in enumerate(clients):
        for key in c.keys("*"):
            t = c.type(key).decode()
            enc = c.object("encoding", key)
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = c.lrange(key, 0, -1)
            elif t == "hash":
                v = c.hgetall(key)
            elif t == "set":
                v = sorted(c.smembers(key))
            elif t == "zset":
                v = c.zrange(key, 0, -1, withscores=True)
            else:
                v = None
            out[(db, key)] = (t, enc, v, c.execute_command("PEXPIRETIME", key))
    return out


def check_rdb(path):
    r = subprocess.run([REDIS_CHECK_RDB, path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "RDB looks OK" in r.stdout, r.stdout + r.stderr
    return r.stdout


@needs_redis
def test_our_rdb_loads_into_redis(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    try:
        clients = [s.client(db=i) for i in range(16)]
        populate(clients)
        mine = snapshot(clients)
        assert clients[0].save()
    finally:
        s.stop()
    out = check_rdb(os.path.join(tmpdir_path, "dump.rdb"))
    assert "Checksum OK" in out
    r = RedisServer(tmpdir_path)
    try:
        theirs = snapshot([r.client(db=i) for i in range(16)])
    finally:
        r.stop()
    assert "DB loaded from disk" in r.read_log()
    assert set(mine) == set(theirs)
    for k in mine:
        assert mine[k] == theirs[k], k


@needs_redis
@pytest.mark.parametrize("thresholds", ["default", "tiny"])
def test_redis_rdb_loads_into_stmkv(tmpdir_path, thresholds):
    # "tiny" makes redis write every collection in its big encoding (QUICKLIST nodes of 2,
    # HASH, SET, ZSET_2); both servers then load with the same thresholds.
    extra = []
    if thresholds == "tiny":
        extra = ["--list-max-listpack-size", "2", "--hash-max-listpack-entries", "1",
                 "--set-max-intset-entries", "1", "--zset-max-listpack-entries", "1"]
    r = RedisServer(tmpdir_path, extra)
    try:
        clients = [r.client(db=i) for i in range(16)]
        populate(clients)
        theirs = snapshot(clients)
        assert clients[0].save()
    finally:
        r.stop()
    check_rdb(os.path.join(tmpdir_path, "dump.rdb"))
    s = start_stmkv(tmpdir_path, extra=extra)
    try:
        mine = snapshot([s.client(db=i) for i in range(16)])
        info = s.client().info("persistence")
        assert info["rdb_last_load_keys_loaded"] == len(theirs)
    finally:
        s.stop()
    assert set(mine) == set(theirs)
    for k in mine:
        assert mine[k] == theirs[k], k


def test_save_restart_and_uncompressed_no_checksum(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    try:
        c = s.client()
        populate([s.client(db=i) for i in range(16)])
        before = snapshot([s.client(db=i) for i in range(16)])
        assert c.config_get("dbfilename") == {"dbfilename": "dump.rdb"}
        c.config_set("rdbcompression", "no")
        c.config_set("rdbchecksum", "no")
        assert c.lastsave() is not None
        assert c.save()
        assert c.info("persistence")["rdb_changes_since_last_save"] == 0
    finally:
        s.stop()
    if REDIS_CHECK_RDB:
        check_rdb(os.path.join(tmpdir_path, "dump.rdb"))
    s = start_stmkv(tmpdir_path)
    try:
        after = snapshot([s.client(db=i) for i in range(16)])
    finally:
        s.stop()
    assert before == after


def test_shutdown_save_nosave_and_save_rules(tmpdir_path):
    path = os.path.join(tmpdir_path, "dump.rdb")
    # SHUTDOWN NOSAVE with save rules: nothing written.
    s = start_stmkv(tmpdir_path, extra=["--save", "3600 1"])
    c = s.client()
    c.set("a", "1")
    c.shutdown(nosave=True)  # redis-py ignores the closed connection
    s.proc.wait(TIMEOUT)
    assert s.proc.returncode == 0
    assert not os.path.exists(path)
    # SHUTDOWN SAVE without save rules: written.
    s = start_stmkv(tmpdir_path)
    c = s.client()
    c.set("b", "2")
    c.shutdown(save=True)
    s.proc.wait(TIMEOUT)
    assert os.path.exists(path)
    # SIGTERM with save rules: saved at exit; the restart loads it.
    s = start_stmkv(tmpdir_path, extra=["--save", "3600 1"])
    c = s.client()
    assert c.get("b") == b"2"
    c.set("c", "3")
    assert s.stop() == 0
    s = start_stmkv(tmpdir_path)
    try:
        assert s.client().mget("a", "b", "c") == [None, b"2", b"3"]
    finally:
        s.stop()
    # A save rule fires by itself: save 1 1 after one change.
    os.remove(path)
    s = start_stmkv(tmpdir_path, extra=["--save", "1 1"])
    try:
        c = s.client()
        c.set("d", "4")
        deadline = time.monotonic() + 8
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert os.path.exists(path)
        info = c.info("persistence")
        assert info["rdb_saves"] >= 1 and info["rdb_last_bgsave_status"] == "ok"
    finally:
        s.stop(signal.SIGKILL)


def test_debug_reload_and_bgsave_replies(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    try:
        c = s.client()
        c.rpush("l", *range(100))
        c.zadd("z", {"a": 1})
        c.set("e", "v", px=100000)
        assert c.execute_command("DEBUG", "RELOAD") == b"OK"
        assert c.lrange("l", 0, -1) == [str(i).encode() for i in range(100)]
        assert c.zscore("z", "a") == 1.0
        assert 0 < c.pttl("e") <= 100000
        assert c.bgsave() is True  # redis-py maps "Background saving started" to True
        with pytest.raises(redis.exceptions.ResponseError, match="syntax error"):
            c.execute_command("BGSAVE", "NOW")
        deadline = time.monotonic() + TIMEOUT
        while c.info("persistence")["rdb_bgsave_in_progress"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.info("persistence")["rdb_last_bgsave_status"] == "ok"
        assert c.bgsave(schedule=True) is True
    finally:
        s.stop()


def transfer_loop(port, naccounts, stop, counter, errors):
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=20)
    rng = random.Random()
    try:
        while not stop.is_set():
            p = c.pipeline(transaction=True)
            for _ in range(5):
                a, b = rng.sample(range(naccounts), 2)
                amount = rng.randint(1, 50)
                p.decrby("acct:%d" % a, amount)
                p.incrby("acct:%d" % b, amount)
            p.execute()
            counter[0] += 1
    except Exception as e:  # reported by the test
        errors.append(e)


@needs_redis
def test_bgsave_during_bank_transfers_is_consistent(tmpdir_path):
    naccounts, initial = 200, 1000
    s = start_stmkv(tmpdir_path, workers=2)
    try:
        c = s.client()
        p = c.pipeline(transaction=False)
        for i in range(naccounts):
            p.set("acct:%d" % i, initial)
        # Filler so that the save takes a while (values long enough to be LZF-compressed).
        for i in range(150_000):
            p.set("fill:%d" % i, "filler-value-%d-" % i * 3)
            if i % 5000 == 4999:
                p.execute()
        p.execute()
        stop = threading.Event()
        counters = [[0] for _ in range(4)]
        errors = []
        threads = [threading.Thread(target=transfer_loop,
                                    args=(s.port, naccounts, stop, counters[i], errors))
                   for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        before = sum(x[0] for x in counters)
        assert c.bgsave() is True
        deadline = time.monotonic() + 60
        while c.info("persistence")["rdb_bgsave_in_progress"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        during = sum(x[0] for x in counters) - before
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(30)
        assert not errors, errors
        info = c.info("persistence")
        assert info["rdb_last_bgsave_status"] == "ok"
        # Writers kept committing while the snapshot was written, and the log they kept alive
        # is reported as the save's overhead.
        assert during > 0
        assert info["rdb_last_cow_size"] > 0
        live = [int(v) for v in c.mget(["acct:%d" % i for i in range(naccounts)])]
        assert sum(live) == naccounts * initial
    finally:
        s.stop()
    check_rdb(os.path.join(tmpdir_path, "dump.rdb"))
    # Loaded into redis-server: the accounts of the snapshot sum to the total.
    r = RedisServer(tmpdir_path)
    try:
        rc = r.client()
        saved = [int(v) for v in rc.mget(["acct:%d" % i for i in range(naccounts)])]
        assert rc.dbsize() == naccounts + 150_000
    finally:
        r.stop()
    assert sum(saved) == naccounts * initial
    assert saved != [initial] * naccounts  # transfers had happened before the snapshot


def _copy_by_dump(src_clients, dst_clients):
    for db, (src, dst) in enumerate(zip(src_clients, dst_clients)):
        for key in src.keys("*"):
            ttl = src.pttl(key)
            assert dst.restore(key, max(ttl, 0), src.dump(key))


def _without_expiry(snap):
    return {k: v[:3] for k, v in snap.items()}


@needs_redis
def test_dump_restore_across_servers(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    r = RedisServer(tmpdir_path)
    try:
        mine = [s.client(db=i) for i in range(16)]
        theirs = [r.client(db=i) for i in range(16)]
        populate(mine)
        _copy_by_dump(mine, theirs)  # our payloads restored by redis-server
        assert _without_expiry(snapshot(mine)) == _without_expiry(snapshot(theirs))
        mine[0].flushall()
        _copy_by_dump(theirs, mine)  # redis-server's payloads restored by stmkv
        assert _without_expiry(snapshot(mine)) == _without_expiry(snapshot(theirs))
        assert 0 < mine[3].pttl("ttl:3") <= 10_000_003
    finally:
        r.stop()
        s.stop()


LIB = ("#!lua name=plib\n"
       "redis.register_function('pecho', function(keys, args) return args[1] end)\n"
       "redis.register_function{function_name='pget', callback=function(keys, args) "
       "return redis.call('GET', keys[1]) end, flags={'no-writes'}}")


@needs_redis
def test_function_libraries_in_rdb_both_ways(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    try:
        c = s.client()
        assert c.function_load(LIB) == b"plib"
        c.set("k", "v")
        assert c.save()
    finally:
        s.stop()
    check_rdb(os.path.join(tmpdir_path, "dump.rdb"))
    r = RedisServer(tmpdir_path)
    try:
        rc = r.client()
        assert rc.fcall("pecho", 0, "x") == b"x"
        assert rc.fcall_ro("pget", 1, "k") == b"v"
        rc.function_delete("plib")
        rc.function_load(LIB.replace("plib", "rlib"))
        assert rc.save()
    finally:
        r.stop()
    s = start_stmkv(tmpdir_path)
    try:
        c = s.client()
        assert c.fcall("pecho", 0, "y") == b"y"
        libs = c.function_list()
        assert len(libs) == 1 and b"rlib" in [v for v in (libs[0].values() if isinstance(
            libs[0], dict) else libs[0])], libs
    finally:
        s.stop()


def test_corrupt_rdb_stops_the_server(tmpdir_path):
    s = start_stmkv(tmpdir_path)
    try:
        c = s.client()
        c.set("k", "v" * 100)
        assert c.save()
    finally:
        s.stop()
    path = os.path.join(tmpdir_path, "dump.rdb")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:-20])  # truncated
    with pytest.raises(RuntimeError, match="Short read or OOM loading DB"):
        start_stmkv(tmpdir_path)
    with open(path, "wb") as f:
        f.write(data.replace(b"7.0.15", b"7.1.15", 1))  # a changed byte (in an AUX field)
    with pytest.raises(RuntimeError, match="Wrong RDB checksum"):
        start_stmkv(tmpdir_path)
