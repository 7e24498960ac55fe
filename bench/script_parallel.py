#!/usr/bin/env python3
"""Scripts in parallel: stmkv (N workers) vs redis-server running the same Lua scripts.

  bench/script_parallel.py --stmkv build/src/stmkv-server [--redis redis-server] [--loops 3000000]

1. Throughput: two clients each run ROUNDS EVALs of a CPU-bound script (a Lua loop of --loops
   iterations, then INCR of the client's own key). stmkv runs the two clients' scripts on two
   workers at once; Redis runs one script at a time. Reports wall seconds and scripts/s.
2. Availability: while one client runs a long script (about 1 s), another client sends PING
   every 10 ms. stmkv answers from the other worker; Redis answers when the script ends (or
   BUSY once it has run busy-reply-threshold, 5 s by default).
Both servers start on free ports with no persistence and are stopped by PID.
"""
import argparse
import os
import signal
import socket
import subprocess
import threading
import time

import redis

SCRIPT = """
local i = 0
local n = tonumber(ARGV[1])
while i < n do i = i + 1 end
return redis.call('INCR', KEYS[1])
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, port):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return p
        except redis.ConnectionError:
            time.sleep(0.05)
    p.kill()
    raise RuntimeError("server did not start: %s" % cmd)


def clients_on_distinct_workers(port, n):
    """n connections, on distinct workers when the server reports worker= (stmkv)."""
    out, seen = [], set()
    for _ in range(64):
        c = redis.Redis(port=port, single_connection_client=True)
        info = c.execute_command("CLIENT", "INFO").decode()
        w = [f for f in info.split() if f.startswith("worker=")]
        if w and w[0] in seen:
            c.close()
            continue
        seen.update(w)
        out.append(c)
        if len(out) == n:
            return out
    while len(out) < n:   # fewer workers than clients
        out.append(redis.Redis(port=port, single_connection_client=True))
    return out


def throughput(port, loops, rounds):
    clients = clients_on_distinct_workers(port, 2)
    sha = clients[0].script_load(SCRIPT)
    clients[0].evalsha(sha, 1, "warm", 10)

    def run(c, key):
        for _ in range(rounds):
            c.evalsha(sha, 1, key, loops)

    t0 = time.time()
    threads = [threading.Thread(target=run, args=(c, "k%d" % i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.time() - t0
    return secs, 2 * rounds / secs


def availability(port, long_loops):
    a, b = clients_on_distinct_workers(port, 2)
    done = threading.Event()
    replies = []

    def long_script():
        a.eval(SCRIPT, 1, "long", long_loops)
        done.set()

    t = threading.Thread(target=long_script)
    t.start()
    time.sleep(0.05)
    worst = 0.0
    while not done.is_set():
        t0 = time.time()
        try:
            b.ping()
            replies.append("PONG")
        except redis.ResponseError as e:
            replies.append(str(e).split()[0])
        worst = max(worst, time.time() - t0)
        time.sleep(0.01)
    t.join()
    kinds = sorted(set(replies))
    return worst * 1000, len(replies), kinds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stmkv", required=True)
    ap.add_argument("--redis", default="redis-server")
    ap.add_argument("--workers", default="1,2", help="stmkv worker counts to run")
    ap.add_argument("--loops", type=int, default=3000000)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    servers = []
    for w in [int(x) for x in args.workers.split(",")]:
        sp = free_port()
        servers.append(("stmkv --workers %d" % w,
                        start([args.stmkv, "--port", str(sp), "--workers", str(w), "--save", ""],
                              sp), sp))
    rp = free_port()
    servers.append(("redis-server 7.0",
                    start([args.redis, "--port", str(rp), "--save", "", "--appendonly", "no"],
                          rp), rp))
    try:
        print("| server | 2 clients x %d scripts (%d loop iterations each): wall s | scripts/s "
              "| PING during a long script: worst ms | replies |" % (args.rounds, args.loops))
        print("|---|---|---|---|---|")
        for name, _, port in servers:
            secs, rate = throughput(port, args.loops, args.rounds)
            worst, n, kinds = availability(port, args.loops * 15)
            print("| %s | %.2f | %.1f | %.1f | %d: %s |" % (name, secs, rate, worst, n,
                                                           ", ".join(kinds)))
    finally:
        for _, p, _ in servers:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
