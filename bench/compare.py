#!/usr/bin/env python3
"""bench/compare.py — stmkv against redis-server 7.0, side by side, with Debian's redis-benchmark.

One command runs the matrix (see MATRIX) against every server configuration: stmkv with each
worker count of --workers-list, optionally the barrier-free build (--baseline-bin, 1 worker), and
redis-server (persistence off for all; 127.0.0.1, free ports, started and stopped by PID). All
servers stay up for the whole run; each round starts with FLUSHALL on every server, then runs
the tests in matrix order, each test on every server back to back, the order of the servers
rotating from test to test and from round to round (so no server always goes first).

Per test and server it reports: the median ops/s over the rounds, the ratio of medians against
redis-server and the per-round band (min..max of that round's ratio), the medians of p50 and p99
latency (redis-benchmark --csv; multi_load's own), the server's CPU seconds (utime+stime of the
process, /proc/PID/stat, delta around the test) per million requests, and the client's CPU
seconds (wait4 rusage of the redis-benchmark / multi_load process) per million requests. A
"request" is one command, except in the MULTI tests where it is one MULTI..EXEC transaction
(5 commands). The summary gives geometric means of the ratios over the matrix.

Usage (see --help):
  bench/compare.py --build build-rel                      # stmkv 1 and 2 workers vs redis
  bench/compare.py --build build-rel --baseline-bin build-rel/src/stmkv-server-nobarrier
  bench/compare.py --stmkv-bin /opt/stmkv-server --multi-load-bin /opt/multi_load \\
      --workers-list 1,2,4,8,16 --client-threads 4           # a bigger machine
  bench/compare.py --quick                                # smoke run (ctest bench_compare_smoke)
Exit status: 0 when every run produced numbers and no MULTI reply broke isolation, 1 otherwise,
2 on bad arguments or missing binaries.
"""
import argparse
import csv
import io
import json
import math
import os
import shlex
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, kind, arguments, request multiplier (times --requests).
# Every redis-benchmark test also gets -c 50 -r 100000 -n <requests> --csv. Order matters: a GET
# test reads what the SET test before it wrote in the same round, RPOP pops what LPUSH pushed.
MATRIX = [
    ("set", "rb", ["-t", "set"], 1),
    ("get", "rb", ["-t", "get"], 1),
    ("incr", "rb", ["-t", "incr"], 1),
    ("lpush", "rb", ["-t", "lpush"], 1),
    ("rpop", "rb", ["-t", "rpop"], 1),
    ("sadd", "rb", ["-t", "sadd"], 1),
    ("hset", "rb", ["-t", "hset"], 1),
    ("zadd", "rb", ["-t", "zadd"], 1),
    ("mset", "rb", ["-t", "mset"], 1),
    ("set-P16", "rb", ["-t", "set", "-P", "16"], 5),
    ("get-P16", "rb", ["-t", "get", "-P", "16"], 5),
    ("set-d1024", "rb", ["-t", "set", "-d", "1024"], 1),
    ("get-d1024", "rb", ["-t", "get", "-d", "1024"], 1),
    ("multi-random", "multi", ["--mode", "random", "--keys", "100000"], 0.5),
    ("multi-hot", "multi", ["--mode", "hot"], 0.5),
]
P16_TESTS = ("set-P16", "get-P16")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="stmkv vs redis-server 7.0 with redis-benchmark (see the module docstring)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--build", default=os.path.join(REPO, "build"),
                   help="build directory: default for --stmkv-bin (src/stmkv-server), "
                        "--multi-load-bin (bench/multi_load) and --baseline-bin "
                        "(src/stmkv-server-nobarrier, only if it exists)")
    p.add_argument("--stmkv-bin", help="stmkv-server binary")
    p.add_argument("--baseline-bin",
                   help="stmkv-server-nobarrier (barrier-free engine; runs with --workers 1)")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip the barrier-free build even if it exists in --build")
    p.add_argument("--multi-load-bin", help="bench/multi_load binary")
    p.add_argument("--redis-server-bin", default="redis-server")
    p.add_argument("--redis-benchmark-bin", default="redis-benchmark")
    p.add_argument("--servers", default="stmkv,redis",
                   help="comma list of stmkv, redis (the baseline joins stmkv when given)")
    p.add_argument("--workers-list", default="1,2", help="stmkv worker counts to run")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    p.add_argument("--requests", type=int, default=100000,
                   help="redis-benchmark -n per test (x5 for -P 16, x0.5 transactions for MULTI)")
    p.add_argument("--clients", type=int, default=50, help="-c: connections per test")
    p.add_argument("--keyspace", type=int, default=100000, help="-r: random key space")
    p.add_argument("--client-threads", type=int, default=1,
                   help="redis-benchmark --threads and multi_load --threads (1 = "
                        "redis-benchmark's default single thread)")
    p.add_argument("--tests", help="comma list of test names (default: the whole matrix: %s)" %
                   ",".join(t[0] for t in MATRIX))
    p.add_argument("--test-timeout", type=float, default=300.0,
                   help="seconds one test on one server may take before it is killed")
    p.add_argument("--max-seconds", type=float, default=3 * 3600.0,
                   help="stop starting tests after this many seconds (the report says which "
                        "runs are missing; exit status 1)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 2000 requests, 1 round, stmkv 1 worker and redis, at most "
                        "10 s per test and 60 s in all")
    p.add_argument("--json", help="write the results as JSON to this file")
    a = p.parse_args(argv)
    if a.rounds < 1 or a.requests < 1:
        p.error("--rounds and --requests must be positive")
    if a.quick:
        a.requests = 2000
        a.rounds = 1
        if a.workers_list == "1,2":
            a.workers_list = "1"
        a.test_timeout = min(a.test_timeout, 10.0)
        a.max_seconds = min(a.max_seconds, 60.0)
    a.stmkv_bin = a.stmkv_bin or os.path.join(a.build, "src", "stmkv-server")
    a.multi_load_bin = a.multi_load_bin or os.path.join(a.build, "bench", "multi_load")
    if not a.baseline_bin and not a.no_baseline:
        cand = os.path.join(a.build, "src", "stmkv-server-nobarrier")
        if os.access(cand, os.X_OK):
            a.baseline_bin = cand
    if a.no_baseline:
        a.baseline_bin = None
    a.servers = [s.strip() for s in a.servers.split(",") if s.strip()]
    a.workers = [int(w) for w in a.workers_list.split(",") if w.strip()]
    names = [t[0] for t in MATRIX]
    a.tests = [t.strip() for t in a.tests.split(",")] if a.tests else names
    for t in a.tests:
        if t not in names:
            p.error("unknown test %r (known: %s)" % (t, ",".join(names)))
    for s in a.servers:
        if s not in ("stmkv", "redis"):
            p.error("unknown server %r" % s)
    return a


def resolve(binary):
    path = binary if os.sep in binary else shutil.which(binary)
    return path if path and os.access(path, os.X_OK) else None


def make_servers(a):
    servers = []
    if "stmkv" in a.servers:
        for w in a.workers:
            servers.append(benchlib.Server("stmkv-w%d" % w, "stmkv", a.stmkv_bin,
                                           ["--workers", w]))
        if a.baseline_bin:
            servers.append(benchlib.Server("nobarrier-w1", "stmkv", a.baseline_bin,
                                           ["--workers", 1]))
    if "redis" in a.servers:
        servers.append(benchlib.Server("redis", "redis", a.redis_server_bin))
    return servers


def parse_csv(text):
    """The first data row of redis-benchmark --csv: (rps, p50_ms, p99_ms) or None."""
    lines = [l for l in text.splitlines() if l.startswith('"')]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    if len(rows) < 2:
        return None
    head = rows[0]
    try:
        row = dict(zip(head, rows[1]))
        return float(row["rps"]), float(row["p50_latency_ms"]), float(row["p99_latency_ms"])
    except (KeyError, ValueError):
        return None


def parse_multi(text):
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def run_one(a, test, srv):
    """Runs one test against one server. Returns a dict with ops, p50, p99, requests,
    server_cpu_s, client_cpu_s, wall_s, and error / violations where they apply."""
    name, kind, targs, mult = test
    requests = max(1, int(a.requests * mult))
    if kind == "rb":
        argv = [a.redis_benchmark_bin, "-h", "127.0.0.1", "-p", str(srv.port),
                "-c", str(a.clients), "-r", str(a.keyspace), "-n", str(requests), "--csv"]
        if a.client_threads > 1:
            argv += ["--threads", str(a.client_threads)]
        argv += targs
    else:
        argv = [a.multi_load_bin, "--port", str(srv.port), "--connections", str(a.clients),
                "--threads", str(a.client_threads), "--requests", str(requests),
                "--timeout", str(int(a.test_timeout))] + targs
    cpu0 = srv.cpu_seconds()
    rc, out, client_cpu, wall, timed_out = benchlib.run_bounded(argv, a.test_timeout + 5)
    cpu1 = srv.cpu_seconds() if srv.alive() else cpu0
    res = {"requests": requests, "server_cpu_s": round(cpu1 - cpu0, 4),
           "client_cpu_s": round(client_cpu, 4), "wall_s": round(wall, 3)}
    if kind == "rb":
        parsed = parse_csv(out) if rc == 0 else None
        if parsed:
            res["ops"], res["p50_ms"], res["p99_ms"] = parsed
    else:
        m = parse_multi(out)
        if m and m.get("transactions") == requests:
            res["ops"], res["p50_ms"], res["p99_ms"] = m["tx_per_sec"], m["p50_ms"], m["p99_ms"]
            res["violations"], res["errors"] = m["violations"], m["errors"]
        elif m:
            res["violations"], res["errors"] = m["violations"], m["errors"]
    if "ops" not in res or rc not in (0, 1) or (kind == "rb" and rc != 0):
        tail = out.strip().splitlines()[-3:]
        res["error"] = "rc %d%s: %s" % (rc, " (timed out)" if timed_out else "", " | ".join(tail))
        res["timed_out"] = timed_out
    elif res.get("errors"):
        res["error"] = "%d transactions had unexpected replies: %s" % (
            res["errors"], " | ".join(out.strip().splitlines()[-2:-1]))
    return res


def flushall(srv):
    """FLUSHALL on srv, bounded in time; a server that does not answer is restarted."""
    try:
        c = benchlib.Conn(srv.port, timeout=30)
        try:
            c.command("FLUSHALL")
        finally:
            c.close()
    except (OSError, RuntimeError, ConnectionError) as e:
        print("  FLUSHALL on %s failed (%s); restarting it" % (srv.name, e))
        srv.stop()
        srv.start()


def median(xs):
    return statistics.median(xs) if xs else None


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def summarize(test_results, servers, ref):
    """Adds medians and ratios to each test's per-server results (in place)."""
    for tr in test_results:
        per = tr["servers"]
        for sname, r in per.items():
            ok = [x for x in r["rounds"] if "ops" in x]
            r["median_ops"] = median([x["ops"] for x in ok])
            r["p50_ms"] = median([x["p50_ms"] for x in ok])
            r["p99_ms"] = median([x["p99_ms"] for x in ok])
            r["server_cpu_s_per_mreq"] = median(
                [x["server_cpu_s"] / x["requests"] * 1e6 for x in ok])
            r["client_cpu_s_per_mreq"] = median(
                [x["client_cpu_s"] / x["requests"] * 1e6 for x in ok])
            r["violations"] = sum(x.get("violations", 0) for x in r["rounds"])
            r["errors"] = sum(1 for x in r["rounds"] if "error" in x)
        if ref and ref in per:
            rr = per[ref]
            for sname, r in per.items():
                if sname == ref or not r["median_ops"] or not rr["median_ops"]:
                    continue
                r["ratio"] = r["median_ops"] / rr["median_ops"]
                band = [x["ops"] / y["ops"] for x, y in zip(r["rounds"], rr["rounds"])
                        if "ops" in x and "ops" in y]
                r["ratio_band"] = [min(band), max(band)] if band else None
                if r["server_cpu_s_per_mreq"] and rr["server_cpu_s_per_mreq"]:
                    r["cpu_ratio"] = r["server_cpu_s_per_mreq"] / rr["server_cpu_s_per_mreq"]
                if r["p99_ms"] and rr["p99_ms"]:
                    r["p99_ratio"] = r["p99_ms"] / rr["p99_ms"]

    summary = {}
    for s in servers:
        if s.name == ref:
            continue
        rows = [tr["servers"][s.name] for tr in test_results if s.name in tr["servers"]]
        p16 = [tr["servers"][s.name] for tr in test_results
               if tr["name"] in P16_TESTS and s.name in tr["servers"]]
        summary[s.name] = {
            "ops_ratio_geomean": geomean([r.get("ratio") for r in rows]),
            "ops_ratio_geomean_p16": geomean([r.get("ratio") for r in p16]),
            "cpu_ratio_geomean": geomean([r.get("cpu_ratio") for r in rows]),
            "p99_ratio_geomean": geomean([r.get("p99_ratio") for r in rows]),
        }
    for s in servers:
        per = {tr["name"]: tr["servers"].get(s.name) for tr in test_results}
        hot, rnd = per.get("multi-hot"), per.get("multi-random")
        entry = summary.setdefault(s.name, {})
        if hot and rnd and hot.get("median_ops") and rnd.get("median_ops"):
            entry["multi_hot_over_random"] = hot["median_ops"] / rnd["median_ops"]
        entry["isolation_violations"] = sum(
            (tr["servers"].get(s.name) or {}).get("violations", 0) for tr in test_results)
    # The STM build against the barrier-free build, both with 1 worker.
    if "stmkv-w1" in summary and "nobarrier-w1" in summary:
        cpu, ops = [], []
        for tr in test_results:
            x, y = tr["servers"].get("stmkv-w1"), tr["servers"].get("nobarrier-w1")
            if x and y and x.get("server_cpu_s_per_mreq") and y.get("server_cpu_s_per_mreq"):
                cpu.append(x["server_cpu_s_per_mreq"] / y["server_cpu_s_per_mreq"])
            if x and y and x.get("median_ops") and y.get("median_ops"):
                ops.append(x["median_ops"] / y["median_ops"])
        summary["stm_over_nobarrier"] = {"cpu_ratio_geomean": geomean(cpu),
                                         "ops_ratio_geomean": geomean(ops)}
    return summary


def scaling_table(test_results, servers, workers):
    """With several stmkv worker counts: each server's median ops/s relative to stmkv with the
    fewest workers, per test, and their geometric means (the worker-scaling curve)."""
    stmkv = ["stmkv-w%d" % w for w in sorted(set(workers))]
    if len(stmkv) < 2 or not any(s.name == stmkv[0] for s in servers):
        return None
    base = stmkv[0]
    cols = stmkv + [s.name for s in servers if s.name not in stmkv]
    rows = {}
    for tr in test_results:
        b = tr["servers"].get(base, {}).get("median_ops")
        rows[tr["name"]] = {c: tr["servers"][c]["median_ops"] / b
                            for c in cols
                            if b and c in tr["servers"] and tr["servers"][c].get("median_ops")}
    return {"base": base, "servers": cols, "tests": rows,
            "geomean": {c: geomean([r.get(c) for r in rows.values()]) for c in cols}}


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def print_report(results, ref):
    print()
    print("%-13s %-13s %11s %6s %13s %7s %7s %9s %9s" %
          ("test", "server", "ops/s", "ratio", "band", "p50 ms", "p99 ms", "srv s/M", "cli s/M"))
    for tr in results["tests"]:
        for sname, r in tr["servers"].items():
            band = r.get("ratio_band")
            print("%-13s %-13s %11s %6s %13s %7s %7s %9s %9s%s" % (
                tr["name"], sname, fmt(r["median_ops"], ",.0f"), fmt(r.get("ratio"), ".2f"),
                "%.2f..%.2f" % tuple(band) if band else "-", fmt(r["p50_ms"], ".3f"),
                fmt(r["p99_ms"], ".3f"), fmt(r["server_cpu_s_per_mreq"], ".2f"),
                fmt(r["client_cpu_s_per_mreq"], ".2f"),
                ("  %d violations" % r["violations"] if r["violations"] else "") +
                ("  %d failed runs" % r["errors"] if r["errors"] else "")))
    scaling = results.get("scaling")
    if scaling:
        cols = scaling["servers"]
        print()
        print("scaling: median ops/s relative to %s" % scaling["base"])
        print("%-13s" % "test" + "".join(" %13s" % c for c in cols))
        for name, row in scaling["tests"].items():
            print("%-13s" % name + "".join(" %13s" % fmt(row.get(c), ".2f") for c in cols))
        print("%-13s" % "geomean" + "".join(
            " %13s" % fmt(scaling["geomean"].get(c), ".2f") for c in cols))
    print()
    for sname, s in results["summary"].items():
        parts = ["%s %s" % (k, fmt(v, ".3f") if isinstance(v, float) or v is None else v)
                 for k, v in s.items()]
        print("summary %-13s %s" % (sname + ":", ", ".join(parts)))
    if ref:
        print("(ratios are against %s; srv/cli s/M = CPU seconds per million requests)" % ref)


def main(argv):
    a = parse_args(argv)
    benchlib.install_signal_handlers()
    missing = []
    for label, b in (("redis-benchmark", a.redis_benchmark_bin),):
        if not resolve(b):
            missing.append("%s (%s)" % (label, b))
    if "stmkv" in a.servers and not resolve(a.stmkv_bin):
        missing.append("stmkv-server (%s)" % a.stmkv_bin)
    if "redis" in a.servers and not resolve(a.redis_server_bin):
        missing.append("redis-server (%s)" % a.redis_server_bin)
    if any(t.startswith("multi") for t in a.tests) and not resolve(a.multi_load_bin):
        missing.append("multi_load (%s)" % a.multi_load_bin)
    if a.baseline_bin and not resolve(a.baseline_bin):
        missing.append("stmkv-server-nobarrier (%s)" % a.baseline_bin)
    if missing:
        print("compare.py: missing binaries: " + ", ".join(missing), file=sys.stderr)
        return 2
    a.redis_benchmark_bin = resolve(a.redis_benchmark_bin)
    tests = [t for t in MATRIX if t[0] in a.tests]
    servers = make_servers(a)
    ref = "redis" if any(s.name == "redis" for s in servers) else None
    t_start = time.monotonic()
    results = {
        "machine": benchlib.machine(), "commit": benchlib.git_commit(REPO),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "options": {"rounds": a.rounds, "requests": a.requests, "clients": a.clients,
                    "keyspace": a.keyspace, "client_threads": a.client_threads,
                    "workers": a.workers, "quick": a.quick},
        "servers": {s.name: {"binary": s.binary, "args": s.extra} for s in servers},
        "reference": ref,
    }
    test_results = [{"name": t[0], "args": t[2], "kind": t[1],
                     "requests": max(1, int(a.requests * t[3])),
                     "servers": {s.name: {"rounds": []} for s in servers}} for t in tests]
    failures = 0
    deadline = t_start + a.max_seconds
    stopped_early = False
    try:
        for s in servers:
            s.start()
            print("started %s (pid %d, port %d): %s" % (s.name, s.pid, s.port,
                                                        shlex.join(s.command_line(s.port))))
        for rnd in range(a.rounds):
            if time.monotonic() > deadline:
                stopped_early = True
                break
            for s in servers:
                flushall(s)
            for ti, (test, tr) in enumerate(zip(tests, test_results)):
                if time.monotonic() > deadline:
                    stopped_early = True
                    break
                k = (rnd + ti) % len(servers)
                for s in servers[k:] + servers[:k]:
                    if not s.alive():
                        print("  %s exited; restarting it (its keys are lost)" % s.name)
                        s.stop()
                        s.start()
                    r = run_one(a, test, s)
                    tr["servers"][s.name]["rounds"].append(r)
                    if "error" in r:
                        failures += 1
                        if not s.alive() or r.get("timed_out"):
                            # A stuck or dead server: the next test gets a fresh one.
                            print("  %s %s; restarting it (its keys are lost)" % (
                                s.name, "timed out" if s.alive() else "exited"))
                            s.stop()
                            s.start()
                    print("round %d %-13s %-13s %11s ops/s  srv %6.2f s  cli %6.2f s%s" % (
                        rnd + 1, test[0], s.name, fmt(r.get("ops"), ",.0f"), r["server_cpu_s"],
                        r["client_cpu_s"], ("  ERROR " + r["error"]) if "error" in r else ""),
                        flush=True)
    finally:
        for s in servers:
            s.stop()
    if stopped_early:
        print("STOPPED EARLY: --max-seconds %.0f reached; missing runs are absent from the "
              "report" % a.max_seconds)
        failures += 1
    results["tests"] = test_results
    results["summary"] = summarize(test_results, servers, ref)
    results["scaling"] = scaling_table(test_results, servers, a.workers)
    results["elapsed_s"] = round(time.monotonic() - t_start, 1)
    print_report(results, ref)
    print("elapsed %.0f s" % results["elapsed_s"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
        print("wrote %s" % a.json)
    violations = sum(v.get("isolation_violations", 0) for v in results["summary"].values()
                     if isinstance(v, dict))
    if violations:
        print("ISOLATION VIOLATIONS: %d" % violations)
    return 1 if failures or violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
