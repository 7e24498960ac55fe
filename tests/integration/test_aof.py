"""AOF persistence (persist/aof.h) against Debian's redis-server 7.0: round trips of every type,
encoding, expiry, binary key and database through an AOF restart; redis-check-aof accepts our
AOF directory; redis-server loads it key by key, and stmkv loads redis-server's; appendfsync
always survives SIGKILL with every acknowledged write and MULTI blocks all-or-nothing;
BGREWRITEAOF during bank transfers keeps the sum; a truncated last record with
aof-load-truncated yes and no; CONFIG SET appendonly yes at runtime.

Every server runs in its own temporary directory and is stopped by PID; the whole file takes
about 30-40 s.
"""
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import redis

from conftest import ServerProcess
from test_persistence import RedisServer, populate, snapshot

REDIS_SERVER = shutil.which("redis-server")
REDIS_CHECK_AOF = shutil.which("redis-check-aof")
needs_redis = pytest.mark.skipif(REDIS_SERVER is None or REDIS_CHECK_AOF is None,
                                 reason="redis-server / redis-check-aof not installed")
AOF_DIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"


@pytest.fixture
def d():
    path = tempfile.mkdtemp(prefix="stmkv-aof-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_aof(d, workers=2, extra=()):
    s = ServerProcess()
    s.start(workers=workers, extra_args=["--dir", d, "--appendonly", "yes"] + list(extra))
    return s


def manifest(d):
    with open(os.path.join(d, AOF_DIR, MANIFEST)) as f:
        return f.read()


def incr_file(d):
    names = [l.split()[1] for l in manifest(d).splitlines() if l.endswith("type i")]
    return os.path.join(d, AOF_DIR, names[-1])


def check_aof(d):
    r = subprocess.run([REDIS_CHECK_AOF, os.path.join(d, AOF_DIR, MANIFEST)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "All AOF files and manifest are valid" in r.stdout, \
        r.stdout + r.stderr


def wait_rewrite_done(c, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        info = c.info("persistence")
        if info["aof_rewrite_in_progress"] == 0 and info["aof_rewrite_scheduled"] == 0 and \
                info["aof_enabled"] == 1:
            return info
        assert time.monotonic() < deadline, info
        time.sleep(0.05)


def test_layout_and_info(d):
    s = start_aof(d)
    try:
        c = s.client()
        c.set("a", 1)
        info = c.info("persistence")
        for f in ["aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
                  "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec",
                  "aof_last_bgrewrite_status", "aof_rewrites", "aof_last_write_status",
                  "aof_last_cow_size", "aof_current_size", "aof_base_size",
                  "aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync",
                  "aof_delayed_fsync", "loading"]:
            assert f in info, f
        assert info["aof_enabled"] == 1
        assert manifest(d) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                               "file appendonly.aof.1.incr.aof seq 1 type i\n")
        assert c.config_get("append*") == {"appendonly": "yes", "appendfsync": "everysec",
                                           "appendfilename": "appendonly.aof",
                                           "appenddirname": "appendonlydir"}
        assert c.bgrewriteaof() is True
        info = wait_rewrite_done(c)
        assert info["aof_rewrites"] == 1
        assert manifest(d) == ("file appendonly.aof.2.base.rdb seq 2 type b\n"
                               "file appendonly.aof.2.incr.aof seq 2 type i\n")
        assert sorted(os.listdir(os.path.join(d, AOF_DIR))) == [
            "appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", MANIFEST]
    finally:
        s.stop()


@needs_redis
@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_round_trip_and_redis_loads_ours(d, preamble):
    extra = ["--aof-use-rdb-preamble", preamble]
    s = start_aof(d, extra=extra)
    try:
        clients = [s.client(db=i) for i in range(16)]
        populate(clients[:8])
        assert clients[0].bgrewriteaof()       # half in the base, half in the incr file
        wait_rewrite_done(clients[0])
        populate(clients[8:])
        clients[0].rpush("list:small", "after-rewrite")
        clients[0].delete("set:str")
        mine = snapshot(clients)
    finally:
        s.stop()
    check_aof(d)
    s = start_aof(d, extra=extra)
    try:
        again = snapshot([s.client(db=i) for i in range(16)])
    finally:
        s.stop()
    assert set(mine) == set(again)
    for k in mine:
        assert mine[k] == again[k], k
    r = RedisServer(d, ["--appendonly", "yes"])
    try:
        theirs = snapshot([r.client(db=i) for i in range(16)])
    finally:
        r.stop()
    assert_same_across_servers(mine, theirs)


def assert_same_across_servers(mine, theirs):
    """Snapshots of the same data on stmkv and redis-server: the same keys, types and values
    (field 1, the encoding, may differ between the servers)."""
    assert set(mine) == set(theirs)
    for k in mine:
        assert mine[k][0] == theirs[k][0] and mine[k][2:] == theirs[k][2:], k


@needs_redis
def test_stmkv_loads_redis_aof(d):
    r = RedisServer(d, ["--appendonly", "yes"])
    try:
        clients = [r.client(db=i) for i in range(16)]
        populate(clients[:8])
        clients[0].bgrewriteaof()
        time.sleep(1.0)
        populate(clients[8:])
        theirs = snapshot(clients)
    finally:
        r.stop()
    s = start_aof(d)
    try:
        mine = snapshot([s.client(db=i) for i in range(16)])
    finally:
        s.stop()
    assert_same_across_servers(mine, theirs)


def test_rdb_becomes_first_base(d):
    s = ServerProcess()
    s.start(extra_args=["--dir", d])
    try:
        c = s.client()
        c.set("from-rdb", "yes")
        c.save()
    finally:
        s.stop()
    s = start_aof(d)
    try:
        assert s.client().get("from-rdb") == b"yes"
    finally:
        s.stop()
    assert "appendonly.aof.1.base.rdb" in manifest(d)


def test_config_set_appendonly_at_runtime(d):
    s = ServerProcess()
    s.start(extra_args=["--dir", d])
    try:
        c = s.client()
        c.set("before", 1)
        assert c.config_set("appendonly", "yes")
        wait_rewrite_done(c)
        c.set("after", 2)
        c.incr("before")
    finally:
        s.stop()
    s = start_aof(d)
    try:
        c = s.client()
        assert c.get("before") == b"2" and c.get("after") == b"2"
        assert c.config_set("appendonly", "no")
        time.sleep(0.3)
        assert c.info("persistence")["aof_enabled"] == 0
    finally:
        s.stop()


@pytest.mark.parametrize("allow", ["yes", "no"])
def test_truncated_last_record(d, allow):
    s = start_aof(d)
    try:
        c = s.client()
        c.set("k1", "v1")
        c.set("k2", "v2")
        time.sleep(1.2)  # everysec
    finally:
        s.stop(signal.SIGKILL)
    path = incr_file(d)
    size = os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$2\r\nv")   # cut off
    if allow == "yes":
        s = start_aof(d)
        try:
            c = s.client()
            assert c.get("k2") == b"v2" and c.get("k3") is None
            assert "Truncating the AOF" in s.log()
        finally:
            s.stop()
        assert os.path.getsize(path) >= size  # truncated to the last record, maybe appended
    else:
        s = ServerProcess()
        with pytest.raises(RuntimeError) as e:
            s.start(extra_args=["--dir", d, "--appendonly", "yes", "--aof-load-truncated", "no"])
        assert "Unexpected end of file reading the append only file" in str(e.value)


def test_incomplete_multi_is_dropped(d):
    s = start_aof(d)
    try:
        s.client().set("x", "1")
        time.sleep(1.2)
    finally:
        s.stop(signal.SIGKILL)
    with open(incr_file(d), "ab") as f:
        f.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n2\r\n")
    s = start_aof(d)
    try:
        assert s.client().get("x") == b"1"
    finally:
        s.stop()


def writer(port, idx, stop, acked, blocks):
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
    i = 0
    try:
        while not stop.is_set():
            i += 1
            if i % 3 == 0:
                p = c.pipeline(transaction=True)
                p.set("blk:a:%d:%d" % (idx, i), i)
                p.set("blk:b:%d:%d" % (idx, i), i)
                p.execute()
                blocks.append((idx, i))
            else:
                c.set("k:%d:%d" % (idx, i), i)
                acked.append(("k:%d:%d" % (idx, i), i))
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        pass


def test_always_survives_sigkill(d):
    rng = random.Random(8)
    extra = ["--appendfsync", "always"]
    for round_ in range(3):
        s = start_aof(d, workers=2, extra=extra)
        stop = threading.Event()
        acked, blocks = [], []
        threads = [threading.Thread(target=writer, args=(s.port, t + 10 * round_, stop, acked,
                                                         blocks)) for t in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.3 + rng.random() * 1.5)
        os.kill(s.pid, signal.SIGKILL)
        s.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        assert len(acked) > 50
        s = start_aof(d, workers=2, extra=extra)
        try:
            c = s.client()
            p = c.pipeline(transaction=False)
            for k, _ in acked:
                p.get(k)
            got = p.execute()
            missing = [k for (k, v), g in zip(acked, got) if g != str(v).encode()]
            assert not missing, missing[:10]
            for key in c.scan_iter("blk:a:*", count=1000):
                assert c.get(key.replace(b"blk:a:", b"blk:b:")) == c.get(key)
            for key in c.scan_iter("blk:b:*", count=1000):
                assert c.exists(key.replace(b"blk:b:", b"blk:a:"))
            for idx, i in blocks:
                assert c.get("blk:a:%d:%d" % (idx, i)) == str(i).encode()
        finally:
            s.stop()


@pytest.mark.parametrize("fsync", ["everysec", "always"])
def test_bgrewriteaof_during_bank_transfers(d, fsync):
    accounts, initial = 20, 1000
    s = start_aof(d, workers=2, extra=["--appendfsync", fsync])
    try:
        c = s.client()
        c.mset({"acct:%d" % i: initial for i in range(accounts)})
        stop = threading.Event()

        def transfers(seed):
            rng = random.Random(seed)
            cc = s.client()
            while not stop.is_set():
                a, b = rng.sample(range(accounts), 2)
                amount = rng.randint(1, 50)
                p = cc.pipeline(transaction=True)
                p.decrby("acct:%d" % a, amount)
                p.incrby("acct:%d" % b, amount)
                p.execute()

        threads = [threading.Thread(target=transfers, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for _ in range(3):
            time.sleep(0.4)
            while True:
                try:
                    c.bgrewriteaof()
                    break
                except redis.exceptions.ResponseError:
                    time.sleep(0.05)
            wait_rewrite_done(c)
        stop.set()
        for t in threads:
            t.join()
        before = [int(c.get("acct:%d" % i)) for i in range(accounts)]
        assert sum(before) == accounts * initial
        assert c.info("persistence")["aof_rewrites"] >= 3
    finally:
        s.stop()
    check_aof(d)
    s = start_aof(d)
    try:
        c = s.client()
        after = [int(c.get("acct:%d" % i)) for i in range(accounts)]
        assert after == before
    finally:
        s.stop()


def test_automatic_rewrite(d):
    s = start_aof(d, extra=["--auto-aof-rewrite-min-size", "64kb",
                            "--auto-aof-rewrite-percentage", "100"])
    try:
        c = s.client()
        value = "v" * 200
        deadline = time.monotonic() + 20
        while c.info("persistence")["aof_rewrites"] == 0:
            assert time.monotonic() < deadline
            p = c.pipeline(transaction=False)
            for i in range(200):
                p.set("key:%d" % (i % 50), value)   # overwrites: the rewrite shrinks it
            p.execute()
            time.sleep(0.02)
        info = wait_rewrite_done(c)
        assert info["aof_base_size"] < 64 * 1024
        assert "Starting automatic rewriting of AOF" in s.log()
        c.set("last", "1")
    finally:
        s.stop()
    check_aof(d)
    s = start_aof(d)
    try:
        c = s.client()
        assert c.get("last") == b"1" and c.get("key:7") == b"v" * 200 and c.dbsize() == 51
    finally:
        s.stop()


def test_always_acknowledges_only_written_records(d):
    # appendfsync always: when a reply arrives, the record is in the file (fsynced); also after
    # switching to always at runtime.
    for start_mode, runtime_mode in [("always", None), ("no", "always")]:
        s = start_aof(d, extra=["--appendfsync", start_mode])
        try:
            c = s.client()
            if runtime_mode:
                c.config_set("appendfsync", runtime_mode)
                time.sleep(0.3)   # the cron applies it within 100 ms
            path = incr_file(d)
            for i in range(200):
                value = "val-%s-%d" % (start_mode, i)
                c.set("gate:%d" % i, value)
                with open(path, "rb") as f:
                    assert value.encode() in f.read(), i
        finally:
            s.stop()
