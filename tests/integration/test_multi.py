"""Transactions against the real binary: MULTI / EXEC / DISCARD / WATCH / UNWATCH with Redis
7.0's client-visible semantics (replies checked against redis-server 7.0.15), concurrency with
2 workers, real parallelism of EXEC blocks, the STM conflict report and SLOWLOG."""
import threading
import time

import pytest
import redis

EXECABORT = "Transaction discarded because of previous errors."


def one(server):
    """A client on one connection (MULTI state is per connection). Its pipelines take other
    connections from the pool; a block that must run on this connection uses raw()."""
    return server.client(single_connection_client=True)


def pairs(flat):
    """A RESP2 map (flat list) as a dict with str keys."""
    it = iter(flat)
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in zip(it, it)}


def raw(c, *args):
    """Sends a command on c's connection and returns the reply as sent (no redis-py reply
    callbacks), or the error message for an error reply."""
    c.connection.send_command(*args)
    try:
        return c.connection.read_response()
    except redis.ResponseError as e:
        return "ERR: " + str(e)


def test_nested_multi_and_misplaced_commands(server, prefix):
    c = one(server)
    assert raw(c, "EXEC") == "ERR: EXEC without MULTI"
    assert raw(c, "DISCARD") == "ERR: DISCARD without MULTI"
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "MULTI") == "ERR: MULTI calls can not be nested"
    assert raw(c, "SET", prefix + "a", "1") == b"QUEUED"
    assert raw(c, "WATCH", prefix + "a") == "ERR: WATCH inside MULTI is not allowed"
    assert raw(c, "EXEC") == [b"OK"]  # neither error flags the transaction
    assert c.get(prefix + "a") == b"1"


def test_queue_time_errors_make_exec_abort(server, prefix):
    c = one(server)
    for bad in (("SET", prefix + "x"), ("NOSUCHCOMMAND",), ("CLIENT", "NOPE"), ("SHUTDOWN",)):
        assert raw(c, "MULTI") == b"OK"
        assert raw(c, "SET", prefix + "y", "1") == b"QUEUED"
        assert raw(c, *bad).startswith("ERR: ")
        assert raw(c, "EXEC") == "ERR: " + EXECABORT
        assert c.get(prefix + "y") is None
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "SHUTDOWN") == "ERR: Command not allowed inside a transaction"
    assert raw(c, "DISCARD") == b"OK"
    assert raw(c, "EXEC") == "ERR: EXEC without MULTI"


def test_runtime_errors_do_not_roll_back(server, prefix):
    c = one(server)
    c.set(prefix + "s", "str")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "INCR", prefix + "s") == b"QUEUED"
    assert raw(c, "SET", prefix + "b", "2") == b"QUEUED"
    assert raw(c, "LPUSH", prefix + "s", "x") == b"QUEUED"
    assert raw(c, "GET", prefix + "b") == b"QUEUED"
    res = raw(c, "EXEC")
    assert isinstance(res[0], redis.ResponseError)
    assert str(res[0]) == "value is not an integer or out of range"
    assert res[1] == b"OK"
    assert str(res[2]) == "WRONGTYPE Operation against a key holding the wrong kind of value"
    assert res[3] == b"2"
    assert c.get(prefix + "b") == b"2"


def test_select_inside_multi(server, prefix):
    c = one(server)
    k = prefix + "k"
    assert raw(c, "MULTI") == b"OK"
    for cmd in (("SELECT", "1"), ("SET", k, "db1"), ("SELECT", "0"), ("GET", k),
                ("SELECT", "100"), ("SELECT", "1"), ("GET", k)):
        assert raw(c, *cmd) == b"QUEUED"
    res = raw(c, "EXEC")
    assert res[:4] == [b"OK", b"OK", b"OK", None]
    assert str(res[4]) == "DB index is out of range"
    assert res[5:] == [b"OK", b"db1"]
    assert b"db=1" in c.execute_command("CLIENT", "INFO")
    c.execute_command("SELECT", "1")
    c.delete(k)


def test_blocking_commands_do_not_block_in_multi(server, prefix):
    c = one(server)
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "BLPOP", prefix + "l", "0") == b"QUEUED"
    assert raw(c, "BRPOPLPUSH", prefix + "l", prefix + "m", "0") == b"QUEUED"
    t = time.monotonic()
    assert raw(c, "EXEC") == [None, None]
    assert time.monotonic() - t < 5


def test_watch_touched_by_same_client(server, prefix):
    c = one(server)
    c.set(prefix + "w", "1")
    assert raw(c, "WATCH", prefix + "w") == b"OK"
    c.set(prefix + "w", "2")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "SET", prefix + "x", "1") == b"QUEUED"
    assert raw(c, "EXEC") is None
    assert c.get(prefix + "x") is None


def test_watch_touched_by_other_client(server, prefix):
    c, other = one(server), one(server)
    c.set(prefix + "w", "1")
    assert raw(c, "WATCH", prefix + "w", prefix + "absent") == b"OK"
    other.set(prefix + "absent", "now")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "GET", prefix + "w") == b"QUEUED"
    assert raw(c, "EXEC") is None


def test_watch_not_broken_by_other_keys(server, prefix):
    c, other = one(server), one(server)
    c.set(prefix + "w", "1")
    assert raw(c, "WATCH", prefix + "w") == b"OK"
    for i in range(100):
        other.set(prefix + "o%d" % i, i)
    other.get(prefix + "w")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "INCR", prefix + "w") == b"QUEUED"
    assert raw(c, "EXEC") == [2]


def test_watch_broken_by_expiry(server, prefix):
    c = one(server)
    c.set(prefix + "e", "v", px=50)
    assert raw(c, "WATCH", prefix + "e") == b"OK"
    time.sleep(0.15)
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "PING") == b"QUEUED"
    assert raw(c, "EXEC") is None


@pytest.mark.parametrize("cmd", [("FLUSHDB",), ("FLUSHALL",), ("SWAPDB", "0", "9"),
                                 ("MOVE", "{k}", "9"), ("RENAME", "{k}", "{k}2"),
                                 ("EXPIRE", "{k}", "100"), ("DEL", "{k}")])
def test_watch_broken_by_keyspace_commands(server, prefix, cmd):
    c, other = one(server), one(server)
    k = prefix + "k"
    c.set(k, "v")
    assert raw(c, "WATCH", k) == b"OK"
    other.execute_command(*[a.replace("{k}", k) for a in cmd])
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "PING") == b"QUEUED"
    assert raw(c, "EXEC") is None
    if cmd[0] == "SWAPDB":
        other.execute_command("SWAPDB", "0", "9")


def test_unwatch_and_discard_forget_watches(server, prefix):
    c, other = one(server), one(server)
    k = prefix + "k"
    assert raw(c, "WATCH", k) == b"OK"
    assert raw(c, "UNWATCH") == b"OK"
    other.set(k, "1")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "EXEC") == []
    assert raw(c, "WATCH", k) == b"OK"
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "DISCARD") == b"OK"
    other.set(k, "2")
    assert raw(c, "MULTI") == b"OK"
    assert raw(c, "EXEC") == []


def test_bank_transfers_keep_the_sum(server, prefix):
    keys = [prefix + "acct%d" % i for i in range(100)]
    setup = one(server)
    setup.mset({k: 1000 for k in keys})
    errors = []
    stop = threading.Event()

    def transfers(seed):
        c = one(server)
        import random
        rnd = random.Random(seed)
        for _ in range(300):
            a, b = rnd.sample(keys, 2)
            amount = rnd.randint(1, 50)
            p = c.pipeline(transaction=True)
            p.decrby(a, amount)
            p.incrby(b, amount)
            p.execute()

    def reader():
        c = one(server)
        while not stop.is_set():
            p = c.pipeline(transaction=True)
            p.mget(keys)
            vals = p.execute()[0]
            s = sum(int(v) for v in vals)
            if s != 1000 * len(keys):
                errors.append(s)

    threads = [threading.Thread(target=transfers, args=(i,)) for i in range(20)]
    rt = threading.Thread(target=reader)
    rt.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    rt.join()
    assert errors == []
    assert sum(int(v) for v in setup.mget(keys)) == 1000 * len(keys)


def test_optimistic_watch_increments(server, prefix):
    k = prefix + "counter"
    successes = []

    def loop():
        c = one(server)
        ok = 0
        for _ in range(100):
            c.execute_command("WATCH", k)
            v = int(c.get(k) or 0)
            c.execute_command("MULTI")
            c.execute_command("SET", k, v + 1)
            if raw(c, "EXEC") is not None:
                ok += 1
        successes.append(ok)

    threads = [threading.Thread(target=loop) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert int(one(server).get(k)) == sum(successes)
    assert sum(successes) > 0


def test_huge_block_completes_under_contention(server, prefix):
    keys = [prefix + "h%d" % i for i in range(8)]
    stop = threading.Event()

    def writer():
        c = one(server)
        i = 0
        while not stop.is_set():
            c.incr(keys[i % len(keys)])
            i += 1

    writers = [threading.Thread(target=writer) for _ in range(2)]
    for t in writers:
        t.start()
    try:
        c = one(server)
        p = c.pipeline(transaction=True)
        for i in range(100000):
            p.incr(keys[i % len(keys)])
        res = p.execute()
    finally:
        stop.set()
        for t in writers:
            t.join()
    assert len(res) == 100000
    assert all(isinstance(v, int) for v in res)


def clients_on_two_workers(server):
    """Two connections served by different workers (CLIENT INFO's worker= field)."""
    by_worker = {}
    spare = []
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


def stm_stats(c):
    st = pairs(c.execute_command("STM", "STATS"))
    st["workers"] = [pairs(w) for w in st["workers"]]
    return st


def test_exec_blocks_run_in_parallel(server, prefix):
    """Two long blocks over disjoint keys on two workers overlap in time, as the server's own
    per-worker EXEC intervals show."""
    a, b = clients_on_two_workers(server)
    barrier = threading.Barrier(2)

    def block(c, key):
        # On c's own connection (a redis-py pipeline would take another one from the pool).
        assert raw(c, "MULTI") == b"OK"
        assert raw(c, "DEBUG", "SLEEP", "0.5") == b"QUEUED"
        assert raw(c, "SET", key, "done") == b"QUEUED"
        barrier.wait()
        assert raw(c, "EXEC") == [b"OK", b"OK"]

    ts = [threading.Thread(target=block, args=(a, prefix + "a")),
          threading.Thread(target=block, args=(b, prefix + "b"))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    workers = stm_stats(a)["workers"]
    assert len(workers) == 2
    (s0, e0), (s1, e1) = [(w["last_exec_start_us"], w["last_exec_end_us"]) for w in workers]
    assert e0 - s0 >= 500000 and e1 - s1 >= 500000
    assert s0 < e1 and s1 < e0, "EXEC intervals do not overlap: %s" % workers


def test_conflict_report_names_the_hot_key(server, prefix):
    hot = prefix + "hot"
    admin = one(server)
    admin.execute_command("STM", "RESET")
    total = 0
    for _ in range(20):   # until conflicts happened (they depend on the scheduling)
        def incr():
            c = one(server)
            for _ in range(20):
                p = c.pipeline(transaction=False)
                for _ in range(200):
                    p.execute_command("INCR", hot)
                p.execute()
        ts = [threading.Thread(target=incr) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        total += 4 * 20 * 200
        if pairs(stm_stats(admin)["aborts"])["conflict"] > 0:
            break
    assert int(admin.get(hot)) == total
    assert pairs(stm_stats(admin)["aborts"])["conflict"] > 0
    report = [pairs(e) for e in admin.execute_command("STM", "CONFLICTS", "5")]
    top = report[0]
    assert top["key"] == hot.encode(), report
    assert top["conflicts"] > 0 and top["retries"] == top["conflicts"]
    assert "incr" in pairs(top["commands"])
    assert "string" in pairs(top["families"])
    assert top["label"] == ("INCR " + hot).encode()
    assert admin.execute_command("STM", "RESET") == b"OK"
    assert admin.execute_command("STM", "CONFLICTS") == []
    assert "stm_commits" in admin.info("stm")


def test_slowlog(server, prefix):
    c = one(server)
    assert c.execute_command("CONFIG", "SET", "slowlog-log-slower-than", "0") == b"OK"
    try:
        c.execute_command("SLOWLOG", "RESET")
        c.set(prefix + "a", "b")
        entry = c.execute_command("SLOWLOG", "GET", "1")[0]
        assert entry[3] == [b"SET", (prefix + "a").encode(), b"b"]
        assert isinstance(entry[0], int) and isinstance(entry[1], int)
        assert isinstance(entry[2], int) and entry[6] == 0   # retries
        assert c.execute_command("SLOWLOG", "LEN") >= 2
        assert raw(c, "SLOWLOG", "GET", "-2") == \
            "ERR: count should be greater than or equal to -1"
        assert raw(c, "SLOWLOG", "LEN", "x") == \
            "ERR: wrong number of arguments for 'slowlog|len' command"
        assert raw(c, "SLOWLOG", "FOO") == "ERR: unknown subcommand 'FOO'. Try SLOWLOG HELP."
        help_lines = c.execute_command("SLOWLOG", "HELP")
        assert help_lines[0] == b"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. " \
                                b"Subcommands are:"
    finally:
        c.execute_command("CONFIG", "SET", "slowlog-log-slower-than", "10000")
        c.execute_command("SLOWLOG", "RESET")
