"""Concurrency: many clients on several workers must see every command as atomic and isolated.

Correctness only (counts, invariants); no timing assertions. Servers run on 127.0.0.1 on free
ports and are stopped by PID (conftest).
"""
import random
import re
import shutil
import subprocess
import threading

import pytest
import redis

from conftest import ServerProcess

BENCH = shutil.which("redis-benchmark")
BENCH_TIMEOUT = 480  # seconds: bound on one redis-benchmark run (a Debug build is slow)


def run_benchmark(port, *args):
    if BENCH is None:
        pytest.skip("redis-benchmark is not installed")
    p = subprocess.run([BENCH, "-h", "127.0.0.1", "-p", str(port), *args],
                       capture_output=True, timeout=BENCH_TIMEOUT)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def test_incr_500k_with_redis_benchmark(server):
    r = server.client()
    key = "counter:__rand_int__"  # redis-benchmark's literal INCR key when -r is not given
    r.delete(key)
    rc, out, err = run_benchmark(server.port, "-c", "50", "-n", "500000", "-t", "incr", "-q")
    assert rc == 0, (out, err)
    assert "Error" not in out + err, (out, err)
    assert re.search(r"INCR: [0-9.]+ requests per second", out), out
    assert r.get(key) == b"500000"
    r.close()
    # redis-benchmark reads CONFIG GET save / appendonly at start; Redis answers both.
    assert "WARNING" not in out + err, (out, err)


def test_incr_from_threads_with_pipelines(server):
    key = "conc:threads:counter"
    server.client().delete(key)
    nthreads, per_thread, batch = 20, 2000, 100
    errors = []

    def work():
        c = server.client()
        try:
            for _ in range(per_thread // batch):
                p = c.pipeline(transaction=False)
                for _ in range(batch):
                    p.incr(key)
                p.execute()
        except Exception as e:  # reported by the main thread
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=work) for _ in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
        assert not t.is_alive()
    assert errors == []
    assert server.client().get(key) == str(nthreads * per_thread).encode()


def test_mset_mget_atomicity(server):
    keys = ["conc:a", "conc:b", "conc:c"]
    setup = server.client()
    setup.mset({k: "init" for k in keys})
    writers_done = threading.Event()
    torn = []
    errors = []
    reads = [0]

    def writer(seed):
        rng = random.Random(seed)
        c = server.client()
        try:
            for _ in range(1500):
                v = "v%d" % rng.randrange(1 << 30)
                c.mset({k: v for k in keys})
        except Exception as e:
            errors.append(e)
        finally:
            c.close()

    def reader():
        c = server.client()
        try:
            # Bounded: at most 20000 reads each, stopping early once the writers are done.
            for _ in range(20000):
                a, b, cc = c.mget(keys)
                reads[0] += 1
                if not (a == b == cc):
                    torn.append((a, b, cc))
                    return
                if writers_done.is_set():
                    return
        except Exception as e:
            errors.append(e)
        finally:
            c.close()

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(300)
        assert not t.is_alive()
    writers_done.set()
    for t in readers:
        t.join(300)
        assert not t.is_alive()
    assert errors == []
    assert torn == [], "MGET saw a partial MSET: %r" % torn[:3]
    assert reads[0] > 0
    final = setup.mget(keys)
    assert final[0] == final[1] == final[2] != b"init"
    setup.close()


def test_msetnx_all_or_nothing(server):
    # Concurrent MSETNX calls over overlapping key sets: each key ends up owned by exactly one
    # winner, and every winner set all its keys.
    c = server.client()
    keys = ["conc:nx:%d" % i for i in range(6)]
    c.delete(*keys)
    results = {}

    def attempt(i):
        cc = server.client()
        mine = {keys[i % 6]: "w%d" % i, keys[(i + 1) % 6]: "w%d" % i}
        results[i] = (mine, cc.msetnx(mine))
        cc.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive()
    winners = [i for i, (_, ok) in results.items() if ok]
    assert winners, "no MSETNX succeeded"
    values = dict(zip(keys, c.mget(keys)))
    for i in winners:
        for k, v in results[i][0].items():
            assert values[k] == v.encode(), (i, k, values[k])
    # Two winners can't share a key.
    owned = [k for i in winners for k in results[i][0]]
    assert len(owned) == len(set(owned))
    c.close()


EXPECTED_TESTS = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"]


@pytest.mark.parametrize("workers", [1, 2])
def test_redis_benchmark_default_tests(workers):
    s = ServerProcess()
    s.start(workers=workers)
    try:
        rc, out, err = run_benchmark(s.port, "-q", "-t", "ping,set,get,incr,mset", "-n", "100000")
        assert rc == 0, (out, err)
        assert "Error" not in out + err, (out, err)
        for name in EXPECTED_TESTS:
            assert re.search(r"(^|[\r\n])%s: [0-9.]+ requests per second" % re.escape(name),
                             out), (name, out)
        c = s.client()
        assert c.ping() is True
        # The INCR test ran 100000 INCRs on one key (literal name without -r).
        assert c.get("counter:__rand_int__") == b"100000"
        assert c.get("key:__rand_int__") is not None
        c.close()
        assert "WARNING" not in out + err, (out, err)  # e.g. "Could not fetch server CONFIG"
    finally:
        s.stop()
