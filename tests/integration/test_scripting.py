"""Integration tests of Lua scripting (EVAL, FCALL) on a 2-worker stmkv-server: a job queue as
BullMQ/Sidekiq-style queues use scripts (keys built at run time, never declared), scripts racing
plain commands, SCRIPT KILL from another worker while that worker keeps serving, and two
scripts on different workers overlapping in time (from the server's SCRIPT TIMELINE)."""
import os
import threading
import time

import pytest
import redis

JOBS = int(os.environ.get("STMKV_SCRIPT_JOBS", "100000"))
CLIENTS = 20

# Moves one job id from the wait list to the active list, stamps fields in the job's hash (its
# name is built here, from the id: no declared key), counts it. Returns the id, or false when
# the queue is empty.
TAKE_JOB = """
local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
if not id then return false end
local job = ARGV[2] .. 'job:' .. id
redis.call('HSET', job, 'state', 'active', 'worker', ARGV[1])
redis.call('HINCRBY', job, 'taken', 1)
redis.call('INCR', KEYS[3])
return id
"""


def one(server):
    return server.client(single_connection_client=True)


def clients_on_two_workers(server):
    """Two connections served by different workers (CLIENT INFO's worker= field)."""
    by_worker, spare = {}, []
    for _ in range(64):
        c = one(server)
        info = c.execute_command("CLIENT", "INFO").decode()
        w = [f for f in info.split() if f.startswith("worker=")][0]
        if w in by_worker:
            spare.append(c)
        else:
            by_worker[w] = c
        if len(by_worker) == 2:
            break
    for c in spare:
        c.close()
    assert len(by_worker) == 2, "could not get connections on two workers"
    return list(by_worker.values())


def test_job_queue_none_lost_none_twice(server, prefix):
    r = one(server)
    wait, active, counter = prefix + "wait", prefix + "active", prefix + "done"
    for start in range(0, JOBS, 10000):
        r.rpush(wait, *range(start, min(JOBS, start + 10000)))
    sha = r.script_load(TAKE_JOB)
    taken = [[] for _ in range(CLIENTS)]
    errors = []

    def worker(i):
        c = one(server)
        try:
            while True:
                p = c.pipeline(transaction=False)
                for _ in range(16):
                    p.evalsha(sha, 3, wait, active, counter, "w%d" % i, prefix)
                ids = [x for x in p.execute() if x is not None]
                taken[i].extend(ids)
                if len(ids) < 16:
                    return
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    all_ids = [int(x) for ids in taken for x in ids]
    assert len(all_ids) == JOBS                        # none lost
    assert len(set(all_ids)) == JOBS                   # none twice
    assert int(r.get(counter)) == JOBS                 # counter exact
    assert r.llen(wait) == 0 and r.llen(active) == JOBS
    # Every job's hash was stamped exactly once.
    p = r.pipeline(transaction=False)
    for j in range(0, JOBS, max(1, JOBS // 500)):
        p.hgetall(prefix + "job:%d" % j)
    for h in p.execute():
        assert h[b"taken"] == b"1" and h[b"state"] == b"active"
    # Both workers ran scripts.
    timeline = r.execute_command("SCRIPT", "TIMELINE", "1000")
    assert {e[0] for e in timeline} == {0, 1}


def test_scripts_racing_incrs_stay_serializable(server, prefix):
    a, b = prefix + "a", prefix + "b"
    script = """
local x = tonumber(redis.call('GET', KEYS[1]) or '0')
local y = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('SET', KEYS[1], x + 1)
redis.call('SET', KEYS[2], y + 10)
return x
"""
    rounds, errors = 1500, []

    def scripter():
        c = one(server)
        try:
            for _ in range(rounds):
                c.eval(script, 2, a, b)
        except Exception as e:
            errors.append(e)

    def incrementer():
        c = one(server)
        try:
            for _ in range(rounds):
                c.incr(a)
                c.incrby(b, 100)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=f) for f in (scripter, scripter, incrementer, incrementer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    r = one(server)
    assert int(r.get(a)) == 4 * rounds
    assert int(r.get(b)) == 2 * rounds * 10 + 2 * rounds * 100


def test_script_kill_from_another_worker(server, prefix):
    a, b = clients_on_two_workers(server)
    b.config_set("busy-reply-threshold", 100)
    try:
        assert b.script_kill.__name__  # redis-py has SCRIPT KILL
        with pytest.raises(redis.ResponseError, match="NOTBUSY No scripts in execution"):
            b.script_kill()
        result = {}

        def run(script, *args):
            try:
                result["reply"] = a.eval(script, *args)
            except redis.ResponseError as e:
                result["error"] = str(e)

        t = threading.Thread(target=run, args=("local i = 0 while true do i = i + 1 end", 0))
        t.start()
        deadline = time.time() + 10
        killed = False
        while time.time() < deadline and not killed:
            # The other worker keeps serving while the script runs.
            assert b.set(prefix + "alive", "1")
            try:
                killed = b.script_kill()
            except redis.ResponseError as e:
                assert "NOTBUSY" in str(e)
                time.sleep(0.02)
        t.join(timeout=10)
        assert killed and not t.is_alive()
        assert result["error"].startswith("Script killed by user with SCRIPT KILL...")

        # A script that has written cannot be killed.
        t = threading.Thread(target=run, args=(
            "redis.call('SET', KEYS[1], 'x') local i = 0 "
            "while i < 30000000 do i = i + 1 end return i", 1, prefix + "w"))
        result.clear()
        t.start()
        unkillable = False
        while t.is_alive() and not unkillable:
            try:
                b.script_kill()
            except redis.ResponseError as e:
                unkillable = str(e).startswith("UNKILLABLE Sorry the script already executed "
                                               "write commands against the dataset.")
            time.sleep(0.01)
        t.join(timeout=120)
        assert unkillable
        assert result["reply"] == 30000000
    finally:
        b.config_set("busy-reply-threshold", 5000)


def test_scripts_on_two_workers_overlap(server, prefix):
    """Two long scripts over disjoint keys, on two workers, run at the same time: their
    committed attempts overlap in the server's SCRIPT TIMELINE."""
    a, b = clients_on_two_workers(server)
    a.execute_command("SCRIPT", "TIMELINE", "RESET")
    script = """
local i = 0
while i < 4000000 do i = i + 1 end
redis.call('INCR', KEYS[1])
return i
"""
    barrier = threading.Barrier(2)

    def run(c, key):
        barrier.wait()
        c.eval(script, 1, key)

    threads = [threading.Thread(target=run, args=(c, prefix + k)) for c, k in ((a, "x"), (b, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    timeline = a.execute_command("SCRIPT", "TIMELINE", "2")
    assert len(timeline) == 2
    (w0, s0, e0, _, _), (w1, s1, e1, _, _) = timeline
    assert w0 != w1
    assert s0 < e1 and s1 < e0, "scripts did not overlap: %s" % timeline
