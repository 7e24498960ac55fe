"""maxmemory (server/eviction.h) on a real server: writes past a few-MB limit, used_memory stays
near it, evicted_keys grows, allkeys-lru keeps a hot set that is read in a loop, noeviction
refuses writes with Redis's -OOM text (checked against Debian's redis-server 7.0 when installed)
while reads and deletions go on. Bounded: about 15 s on a debug build.
"""
import shutil
import time

import pytest
import redis

from conftest import ServerProcess, check_clean_exit, free_port

OOM = "OOM command not allowed when used memory > 'maxmemory'."
REDIS_SERVER = shutil.which("redis-server")
VALUE = b"v" * 100


def info_int(c, section, field):
    return int(c.info(section)[field])


@pytest.fixture
def lru_server():
    s = ServerProcess()
    # 3 MB: the limit is reached (about 13,000 keys of 100 bytes) before the keyspace's bucket
    # table grows past 16384 buckets (a growth near the limit evicts the new table's worth of
    # keys at once: docs/security.md).
    s.start(workers=2, extra_args=["--maxmemory", "3mb", "--maxmemory-policy", "allkeys-lru"])
    yield s
    check_clean_exit(s)


def write(c, prefix, start, n, batch=500):
    for b in range(start, start + n, batch):
        p = c.pipeline(transaction=False)
        for i in range(b, min(b + batch, start + n)):
            p.set("%s%d" % (prefix, i), VALUE)
        assert all(r is True for r in p.execute())


def read_all(c, keys):
    p = c.pipeline(transaction=False)
    for k in keys:
        p.get(k)
    return p.execute()


def test_allkeys_lru_stays_near_the_limit_and_keeps_the_hot_set(lru_server):
    c = lru_server.client()
    maxmemory = info_int(c, "memory", "maxmemory")
    assert maxmemory == 3 << 20
    assert c.info("memory")["maxmemory_policy"] == "allkeys-lru"
    hot = ["hot:%d" % i for i in range(300)]
    for k in hot:
        c.set(k, VALUE)
    write(c, "cold:", 0, 2500)
    assert info_int(c, "stats", "evicted_keys") == 0, "the first keys fit"
    # The LRU clock ticks in seconds (as Redis's): let the cold keys age, then keep the hot set
    # read while new keys push the dataset over the limit.
    time.sleep(2.2)
    assert all(v == VALUE for v in read_all(c, hot))
    written = 0
    while info_int(c, "stats", "evicted_keys") < 1500 and written < 30000:
        write(c, "new:", written, 500)
        written += 500
        assert all(v is None or v == VALUE for v in read_all(c, hot))
    evicted = info_int(c, "stats", "evicted_keys")
    assert evicted >= 1500, (evicted, written)
    # The limit applies to used_memory minus the private page copies (not counted for eviction,
    # as Redis's replication buffers): that figure stays near it.
    mem = c.info("memory")
    counted = int(mem["used_memory"]) - int(mem["mem_not_counted_for_evict"])
    assert counted <= maxmemory * 1.1, (counted, maxmemory, mem["used_memory"])
    assert counted >= maxmemory * 0.8, (counted, maxmemory, mem["used_memory"])
    assert c.dbsize() < 300 + 2500 + written
    kept_hot = sum(1 for v in read_all(c, hot) if v is not None)
    kept_cold = sum(1 for v in read_all(c, ["cold:%d" % i for i in range(2500)]) if v is not None)
    kept_new = sum(1 for v in read_all(c, ["new:%d" % i for i in range(written)]) if v is not None)
    counts = (kept_hot, kept_cold, kept_new, written)
    # Approximated LRU (5 samples, a pool of 16): the hot set stays; the cold keys (idle for
    # seconds) go before the new ones.
    # 0.9, not 0.95: with the LRU clock's 1 s resolution, hot keys read in the same second as
    # new keys are written tie with them, and 5-key samples then pick among them at random
    # (measured here: 281-300 of 300 kept over 8 runs).
    assert kept_hot >= 0.9 * len(hot), counts
    assert kept_cold / 2500 < kept_new / written, counts
    # OBJECT IDLETIME: the hot keys were just read, the surviving cold ones were not.
    assert c.object("idletime", hot[0]) <= 1
    info = c.info("stats")
    assert "total_eviction_exceeded_time" in info and "current_eviction_exceeded_time" in info
    c.close()


def noeviction_scenario(c):
    """Fills a 2 MB noeviction server until writes fail; returns what it saw."""
    c.config_set("maxmemory-policy", "noeviction")
    c.config_set("maxmemory", "2mb")
    err = None
    n = 0
    for b in range(0, 100000, 200):
        p = c.pipeline(transaction=False)
        for i in range(b, b + 200):
            p.set("k%d" % i, VALUE)
        for r in p.execute(raise_on_error=False):
            if isinstance(r, redis.ResponseError):
                err = str(r)
                break
            n += 1
        if err:
            break
    seen = {"error": err, "stored": n > 1000}
    seen["get"] = c.get("k0")
    try:
        c.incr("counter")
        seen["incr"] = "ok"
    except redis.ResponseError as e:
        seen["incr"] = str(e)
    seen["expire"] = c.expire("k1", 1000)
    # Freeing memory lets writes in again.
    p = c.pipeline(transaction=False)
    for i in range(0, n, 2):
        p.delete("k%d" % i)
    p.execute()
    seen["set_after_del"] = c.set("again", "1")
    seen["evicted_keys"] = info_int(c, "stats", "evicted_keys")
    return seen


def test_noeviction_refuses_writes_like_redis():
    s = ServerProcess()
    s.start(workers=2)
    try:
        c = s.client()
        got = noeviction_scenario(c)
        c.close()
    finally:
        check_clean_exit(s)
    assert got == {"error": OOM, "stored": True, "get": VALUE, "incr": OOM, "expire": True,
                   "set_after_del": True, "evicted_keys": 0}
    if REDIS_SERVER is None:
        return
    import subprocess
    import tempfile
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save",
                             "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    try:
        c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
        for _ in range(100):
            try:
                c.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        assert noeviction_scenario(c) == got
        c.close()
    finally:
        proc.terminate()
        proc.wait(5)


def test_config_set_applies_at_runtime(lru_server):
    c = lru_server.client()
    c.flushall()   # a dump.rdb in the working directory may have been loaded
    c.config_set("maxmemory-policy", "allkeys-lfu")
    c.set("f", "1")
    assert c.object("freq", "f") == 5
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is selected"):
        c.object("idletime", "f")
    c.config_set("maxmemory-policy", "allkeys-lru")
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is not selected"):
        c.object("freq", "f")
    # A limit below the current use evicts at the next command (no time limit on the pass).
    c.config_set("maxmemory-eviction-tenacity", "100")
    c.config_set("maxmemory", "1")
    c.get("f")
    assert c.dbsize() == 0
    assert info_int(c, "stats", "evicted_keys") >= 1
    c.config_set("maxmemory", "3mb")
    assert c.set("g", "1")
    c.close()
