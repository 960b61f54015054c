"""Sums up a Locust run from its CSV files: a table (with --table) and, as the last line on stdout, one JSON line.

Usage: summary.py --stats PREFIX_stats.csv [--failures PREFIX_failures.csv] --mode quick|full --stack embedded|production
                  --users N --duration SECONDS [--table]

The budgets are judged on the 99th percentile of each route's response times as Locust records them (every request of
that name, failures included; Locust rounds times above 100 ms to 10 ms and above 1 s to 100 ms): search and slots at
most 500 ms, checkout at most 1000 ms. A route without requests has no percentile: its budget is null, not passed.
Exit code 0 when the JSON was written, 2 when the statistics cannot be read.
"""

import argparse
import csv
import json
import sys

# route name -> the p99 it may take, milliseconds
BUDGETS = {"search": 500, "checkout": 1000, "slots": 500}
AGGREGATED = "Aggregated"


def _int(text):
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return None  # "N/A": no requests


def _float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def read_stats(path):
    """The rows of Locust's *_stats.csv: the routes by name, and the Aggregated row."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    if not rows or "Name" not in rows[0] or "99%" not in rows[0]:
        raise ValueError(f"{path} is not a Locust stats CSV (no Name and 99% columns)")
    routes, total = {}, None
    for row in rows:
        entry = {
            "requests": _int(row.get("Request Count")) or 0,
            "rps": round(_float(row.get("Requests/s")), 2),
            "p50_ms": _int(row.get("50%")),
            "p95_ms": _int(row.get("95%")),
            "p99_ms": _int(row.get("99%")),
            "max_ms": _int(row.get("Max Response Time")),
            "failures": _int(row.get("Failure Count")) or 0,
        }
        if row["Name"] == AGGREGATED and not row.get("Type"):
            total = entry
            continue
        name = row["Name"]
        if name in routes:  # the same name under two methods: keep both apart
            name = f"{row.get('Type')} {name}"
        routes[name] = entry
    if total is None:
        total = {
            "requests": sum(r["requests"] for r in routes.values()),
            "rps": round(sum(r["rps"] for r in routes.values()), 2),
            "failures": sum(r["failures"] for r in routes.values()),
        }
    return routes, total


def read_failures(path):
    if not path:
        return []
    try:
        with open(path, newline="", encoding="utf-8") as file:
            return [
                {"method": r.get("Method", ""), "name": r.get("Name", ""), "error": r.get("Error", ""), "occurrences": _int(r.get("Occurrences")) or 0}
                for r in csv.DictReader(file)
            ]
    except FileNotFoundError:
        return []


def summarize(routes, total, mode, stack, users, duration, engine_cpu_s=None, machine_cpu_s=None):
    requests = total["requests"]
    summary = {
        "mode": mode,
        "stack": stack,
        "users": users,
        "duration_s": duration,
        "requests": requests,
        "failures": total["failures"],
        "failure_ratio": round(total["failures"] / requests, 4) if requests else 0.0,
        "rps": total["rps"],
        "routes": {
            name: {k: v for k, v in route.items() if k != "max_ms"} for name, route in sorted(routes.items())
        },
        "budgets": {},
    }
    if engine_cpu_s is not None:
        # Requests answered per second of the engine's CPU (one core fully busy), with the orders' work behind them:
        # the figure docs/capacity.md sizes the pods by.
        summary["engine_cpu_s"] = engine_cpu_s
        summary["rps_per_engine_core"] = round(requests / engine_cpu_s, 1) if engine_cpu_s > 0 else None
    if machine_cpu_s is not None:
        summary["machine_cpu_s"] = machine_cpu_s
    for route, budget in BUDGETS.items():
        p99 = routes.get(route, {}).get("p99_ms")
        summary["budgets"][f"{route}_p99_ms<={budget}"] = None if p99 is None else p99 <= budget
    for route in BUDGETS:
        summary[f"{route}_p99_ms"] = routes.get(route, {}).get("p99_ms")
    return summary


def table(routes, total, failures):
    def cell(value):
        return "-" if value is None else str(value)

    lines = [f"{'route':<22} {'requests':>9} {'fails':>6} {'rps':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"]
    for name, r in sorted(routes.items()):
        lines.append(f"{name:<22} {r['requests']:>9} {r['failures']:>6} {r['rps']:>8.2f} {cell(r['p50_ms']):>7} {cell(r['p95_ms']):>7} "
                     f"{cell(r['p99_ms']):>7} {cell(r['max_ms']):>7}")
    lines.append(f"{'total':<22} {total['requests']:>9} {total['failures']:>6} {total['rps']:>8.2f} {cell(total.get('p50_ms')):>7} "
                 f"{cell(total.get('p95_ms')):>7} {cell(total.get('p99_ms')):>7} {cell(total.get('max_ms')):>7}")
    if failures:
        lines.append("failures:")
        lines.extend(f"  {f['occurrences']:>6} x {f['method']} {f['name']}: {f['error']}" for f in failures)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stats", required=True)
    parser.add_argument("--failures")
    parser.add_argument("--mode", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--duration", type=int, required=True, help="seconds of load (Locust's --run-time)")
    parser.add_argument("--table", action="store_true", help="print a table before the JSON line")
    parser.add_argument("--engine-cpu", type=float, help="CPU seconds the engine used during the load")
    parser.add_argument("--machine-cpu", type=float, help="CPU seconds the whole machine used during the load")
    args = parser.parse_args(argv)
    try:
        routes, total = read_stats(args.stats)
    except (OSError, ValueError, KeyError) as error:
        print(f"summary: {error}", file=sys.stderr)
        return 2
    if args.table:
        print(table(routes, total, read_failures(args.failures)))
    print(json.dumps(summarize(routes, total, args.mode, args.stack, args.users, args.duration, args.engine_cpu, args.machine_cpu),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
