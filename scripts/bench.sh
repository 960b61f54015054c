#!/usr/bin/env bash
# The engine's benchmark: starts PostgreSQL, Redis and RabbitMQ on loopback when they are missing, builds, runs
# the scenarios against real engine processes, prints a table and ends with one JSON line.
#
# Usage: bash scripts/bench.sh [--quick]
#   --quick   within 5 minutes; without it the full run (latency at five rates, two instances) within 30.
#   --throughput-only   stop after the throughput figure (for profiling)
#   --embedded-only     only the embedded default's phases (SQLite + in-memory transport)
#   --reconciliation-only   only the nightly stock reconciliation
# The JSON line's keys: docs/performance.md. Messages and rows per order, idle latency (one order at a time), latency
# at 50 orders/s and the rush's answer time are among them; the table also shows the messages per order of each consumer.
set -euo pipefail
cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exports=$(bash scripts/services.sh)
eval "$exports"
dotnet build bench/Grocery.Workflows.Bench -c Release -nologo -v quiet >&2
exec dotnet bench/Grocery.Workflows.Bench/bin/Release/net10.0/Grocery.Workflows.Bench.dll "$@"
