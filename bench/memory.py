#!/usr/bin/env python3
"""bench/memory.py — memory of stmkv and redis-server 7.0 after the same load (issue 6).

For each server in turn (127.0.0.1, free port, persistence off, stopped by PID):
  1. start, 1 s idle, measure ("empty");
  2. load --keys string keys, `SET key:N <value>` with --value-size-byte values (pipelined raw
     protocol, 10,000 commands per batch), --idle seconds idle, measure ("keys");
  3. add one hash (HSET hash field:N value:N), one list (RPUSH list element:N), one set (SADD set
     member:N) and one sorted set (ZADD zset N member:N) of --elements elements each (1,000 per
     command), --idle seconds idle, measure ("collections").
Each measurement: RSS (VmRSS of /proc/PID/status), the /proc/PID/smaps_rollup figures (Pss,
Pss_Anon, Pss_Shmem, Private_Dirty, ...) and INFO memory (used_memory, used_memory_rss, ...).

Which figure is compared: stmkv's PSS against redis-server's RSS. stmkv maps the pages of its
heap in several views (one per worker, plus the shared one), and RSS counts a page once per
mapping that has it resident; PSS divides each page by the number of mappings of it, so it counts
every heap page once. redis-server maps its heap once, so its RSS is its footprint (its PSS
differs from its RSS only by the shared libraries' pages, also printed).

Usage: bench/memory.py --build build-rel [--workers N] [--json OUT]
       bench/memory.py --quick                     # 20,000 keys and elements, 1 s idle
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 10000  # commands per pipelined batch
PER_COMMAND = 1000  # collection elements per command


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--build", default=os.path.join(REPO, "build"))
    p.add_argument("--stmkv-bin", help="default: <build>/src/stmkv-server")
    p.add_argument("--redis-server-bin", default="redis-server")
    p.add_argument("--servers", default="stmkv,redis")
    p.add_argument("--workers", type=int,
                   help="stmkv --workers (default: the server's default, one per core)")
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--value-size", type=int, default=100)
    p.add_argument("--elements", type=int, default=1000000)
    p.add_argument("--idle", type=float, default=10.0, help="seconds idle before measuring")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", help="write the results as JSON to this file")
    a = p.parse_args(argv)
    if a.quick:
        a.keys, a.elements, a.idle = 20000, 20000, 1.0
    a.stmkv_bin = a.stmkv_bin or os.path.join(a.build, "src", "stmkv-server")
    a.servers = [s.strip() for s in a.servers.split(",") if s.strip()]
    return a


def load_keys(conn, n, size):
    errors = 0
    for start in range(0, n, BATCH):
        parts = []
        for i in range(start, min(n, start + BATCH)):
            v = ("value:%d:" % i).encode().ljust(size, b"x")[:size]
            k = b"key:%d" % i
            parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
        errors += conn.pipeline(b"".join(parts), len(parts))
    return errors


def load_collection(conn, cmd, key, n, element):
    errors = 0
    commands = []
    for start in range(0, n, PER_COMMAND):
        args = [cmd, key]
        for i in range(start, min(n, start + PER_COMMAND)):
            args.extend(element(i))
        commands.append(benchlib.encode(*args))
        if len(commands) == 100 or start + PER_COMMAND >= n:
            errors += conn.pipeline(b"".join(commands), len(commands))
            commands = []
    return errors


def info_memory(conn):
    text = conn.command("INFO", "memory") or ""
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            try:
                out[k] = int(v)
            except ValueError:
                pass
    return out


def measure(srv, conn):
    m = srv.memory()
    m["info"] = info_memory(conn)
    m["dbsize"] = conn.command("DBSIZE")
    return m


def run_server(a, srv):
    srv.start()
    print("started %s (pid %d, port %d)" % (srv.name, srv.pid, srv.port), flush=True)
    phases = {}
    try:
        conn = benchlib.Conn(srv.port, timeout=120)
        time.sleep(1.0)
        phases["empty"] = measure(srv, conn)
        t0 = time.monotonic()
        err = load_keys(conn, a.keys, a.value_size)
        print("  %d keys loaded in %.1f s (%d errors); idle %.0f s" %
              (a.keys, time.monotonic() - t0, err, a.idle), flush=True)
        time.sleep(a.idle)
        phases["keys"] = measure(srv, conn)
        t0 = time.monotonic()
        err = load_collection(conn, "HSET", "hash", a.elements,
                              lambda i: ("field:%d" % i, "value:%d" % i))
        err += load_collection(conn, "RPUSH", "list", a.elements, lambda i: ("element:%d" % i,))
        err += load_collection(conn, "SADD", "set", a.elements, lambda i: ("member:%d" % i,))
        err += load_collection(conn, "ZADD", "zset", a.elements,
                               lambda i: (str(i), "member:%d" % i))
        print("  4 collections of %d elements loaded in %.1f s (%d errors); idle %.0f s" %
              (a.elements, time.monotonic() - t0, err, a.idle), flush=True)
        time.sleep(a.idle)
        phases["collections"] = measure(srv, conn)
        conn.close()
    finally:
        srv.stop()
    return phases


def mib(x):
    return "-" if x is None else "%.1f" % (x / 1048576.0)


def main(argv):
    a = parse_args(argv)
    benchlib.install_signal_handlers()
    servers = []
    if "stmkv" in a.servers:
        extra = ["--workers", a.workers] if a.workers else []
        servers.append(benchlib.Server("stmkv", "stmkv", a.stmkv_bin, extra))
    if "redis" in a.servers:
        servers.append(benchlib.Server("redis", "redis", a.redis_server_bin))
    results = {"machine": benchlib.machine(), "commit": benchlib.git_commit(REPO),
               "options": {"keys": a.keys, "value_size": a.value_size, "elements": a.elements,
                           "idle_s": a.idle, "workers": a.workers},
               "compared": "stmkv smaps_rollup Pss vs redis-server VmRSS", "servers": {}}
    for s in servers:
        results["servers"][s.name] = run_server(a, s)

    print()
    print("%-12s %-6s %9s %9s %9s %9s %13s %9s %7s" % (
        "phase", "server", "RSS MiB", "PSS MiB", "PssAnon", "PssShmem", "used_memory", "dbsize",
        "ratio"))
    ratios = {}
    for phase in ("empty", "keys", "collections"):
        redis_rss = (results["servers"].get("redis", {}).get(phase) or {}).get("rss")
        for name, phases in results["servers"].items():
            m = phases.get(phase)
            if not m:
                continue
            compared = m.get("smaps_pss") if name == "stmkv" else m.get("rss")
            ratio = compared / redis_rss if name == "stmkv" and redis_rss and compared else None
            if ratio:
                ratios[phase] = ratio
            print("%-12s %-6s %9s %9s %9s %9s %13s %9s %7s" % (
                phase, name, mib(m.get("rss")), mib(m.get("smaps_pss")),
                mib(m.get("smaps_pss_anon")), mib(m.get("smaps_pss_shmem")),
                mib(m["info"].get("used_memory")), m.get("dbsize"),
                "%.2f" % ratio if ratio else ""))
    results["stmkv_pss_over_redis_rss"] = ratios
    print("ratio = stmkv PSS / redis-server RSS (MiB = 2^20 bytes)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
        print("wrote %s" % a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
