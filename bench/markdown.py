#!/usr/bin/env python3
"""Prints the results of `bench/compare.py --json FILE` as the Markdown tables of
docs/benchmarks.md: one row per test (ops/s, ratio and band, p99, server CPU per million
requests of every server), then the geometric means.

usage: bench/markdown.py results.json
"""
import json
import sys


def fmt_ops(v):
    return "-" if v is None else "{:,.0f}".format(v)


def fmt(v, digits=2):
    return "-" if v is None else "{:.{}f}".format(v, digits)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    data = json.load(open(sys.argv[1]))
    ref = data.get("reference", "redis")
    names = [s for s in data["servers"] if s != ref] if isinstance(data["servers"], list) else \
        [s for s in data["servers"].keys() if s != ref]
    print("machine: {} | commit {} | options {}".format(
        json.dumps(data.get("machine")), data.get("commit"), json.dumps(data.get("options"))))
    print()
    head = ["test"] + ["{} ops/s".format(n) for n in names] + ["{} ops/s".format(ref)]
    head += ["ratio {} (band)".format(n) for n in names]
    head += ["p99 ms " + " / ".join(names + [ref])]
    head += ["srv s/M " + " / ".join(names + [ref])]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for t in data["tests"]:
        srv = t["servers"]
        row = [t["name"]]
        row += [fmt_ops(srv.get(n, {}).get("median_ops")) for n in names + [ref]]
        for n in names:
            s = srv.get(n, {})
            band = s.get("ratio_band") or [None, None]
            row.append("{} ({}..{})".format(fmt(s.get("ratio")), fmt(band[0]), fmt(band[1])))
        row.append(" / ".join(fmt(srv.get(n, {}).get("p99_ms")) for n in names + [ref]))
        row.append(" / ".join(fmt(srv.get(n, {}).get("server_cpu_s_per_mreq"), 1)
                              for n in names + [ref]))
        print("| " + " | ".join(row) + " |")
    print()
    summary = data.get("summary", {})
    for n in names:
        s = summary.get(n, {})
        print("- **{}**: ops {} (`-P 16` {}), server CPU per request {}, p99 {}, hot/random "
              "MULTI {}, isolation violations {}".format(
                  n, fmt(s.get("ops_ratio_geomean")), fmt(s.get("ops_ratio_geomean_p16")),
                  fmt(s.get("cpu_ratio_geomean")), fmt(s.get("p99_ratio_geomean")),
                  fmt(s.get("multi_hot_over_random")), s.get("isolation_violations")))
    if "stm_over_nobarrier" in summary:
        s = summary["stm_over_nobarrier"]
        print("- **STM / barrier-free (w1)**: server CPU per request {}, ops {}".format(
            fmt(s.get("cpu_ratio_geomean")), fmt(s.get("ops_ratio_geomean"))))


if __name__ == "__main__":
    main()
