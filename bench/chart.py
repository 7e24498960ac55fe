#!/usr/bin/env python3
"""bench/chart.py — a PNG chart of a bench/compare.py --json result (python3-matplotlib).

Two panels over the tests of the matrix: median ops/s of each server (bars, with the per-round
min..max as error bars), and the server's CPU seconds per million requests. The title names the
machine, the commit and the options.

Usage: bench/chart.py results.json [-o docs/benchmarks.png]
"""
import argparse
import json
import os
import sys

try:
    import matplotlib
except ImportError:
    # Debian's python3-matplotlib lives in /usr/bin/python3's path; another python3 first on
    # PATH (e.g. pyenv's) lacks it.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
            os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("json", help="output of bench/compare.py --json")
    p.add_argument("-o", "--out", default="benchmarks.png", help="PNG to write")
    a = p.parse_args(argv)
    with open(a.json) as f:
        res = json.load(f)
    tests = [t for t in res["tests"]]
    names = [t["name"] for t in tests]
    servers = list(res["servers"].keys())
    # Redis last: it is the reference and reads best as the rightmost bar.
    servers.sort(key=lambda s: s == res.get("reference"))  # stable: compare.py's order
    colors = {"redis": "#c0392b"}
    palette = ["#2e86c1", "#5dade2", "#1abc9c", "#8e44ad", "#f39c12", "#7f8c8d", "#34495e"]

    fig, axes = plt.subplots(2, 1, figsize=(min(16, max(10, 0.25 * len(names) * len(servers))), 9),
                             sharex=True)
    width = 0.8 / max(1, len(servers))
    for si, s in enumerate(servers):
        color = colors.get(s, palette[si % len(palette)])
        xs = [i + (si - (len(servers) - 1) / 2) * width for i in range(len(names))]
        ops, lo, hi, cpu = [], [], [], []
        for t in tests:
            r = t["servers"].get(s, {})
            m = r.get("median_ops") or 0
            rounds = [x["ops"] for x in r.get("rounds", []) if "ops" in x]
            ops.append(m)
            lo.append(m - min(rounds) if rounds else 0)
            hi.append(max(rounds) - m if rounds else 0)
            cpu.append(r.get("server_cpu_s_per_mreq") or 0)
        axes[0].bar(xs, ops, width, yerr=[lo, hi], capsize=2, label=s, color=color)
        axes[1].bar(xs, cpu, width, label=s, color=color)
    axes[0].set_ylabel("ops/s (median; bars: round min..max)")
    axes[0].set_yscale("log")
    axes[0].legend(ncol=len(servers), fontsize=8)
    axes[0].grid(axis="y", alpha=0.3)
    axes[1].set_ylabel("server CPU s per million requests")
    axes[1].grid(axis="y", alpha=0.3)
    axes[1].set_xticks(range(len(names)))
    axes[1].set_xticklabels(names, rotation=30, ha="right")
    m = res.get("machine", {})
    o = res.get("options", {})
    fig.suptitle("stmkv vs redis-server 7.0 — %s, %s CPUs, commit %s, %d rounds x %s requests "
                 "(-c %s -r %s)" % (m.get("cpu_model", "?"), m.get("cpus", "?"),
                                    res.get("commit", "?"), o.get("rounds", 0),
                                    o.get("requests", "?"), o.get("clients", "?"),
                                    o.get("keyspace", "?")), fontsize=10)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print("wrote %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
