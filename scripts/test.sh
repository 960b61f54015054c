#!/usr/bin/env bash
# The test command: lints YAML, shell and the Prometheus rules, says what NuGet audit can see (scripts/audit.sh: the
# advisories found, or that the package source serves no advisory data), builds the solution with warnings as errors,
# runs every test project with line coverage, and fails below COVERAGE_MIN percent (default 80) of the engine's lines
# covered.
# Usage: bash scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Saga"]
#   A filtered run covers less: COVERAGE_MIN=0 bash scripts/test.sh --filter ...
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results=TestResults
rm -rf "$results"

echo "== services (PostgreSQL, Redis, RabbitMQ on 127.0.0.1)"
# A failure here stops the run: with CI=true a missing service fails the tests, it never skips them.
exports=$(bash scripts/services.sh)
eval "$exports"

echo "== lint (yamllint, shellcheck, promtool)"
bash scripts/tools.sh
bash scripts/lint.sh

echo "== supply chain (NuGet audit: advisories of moderate severity or above fail the restore)"
bash scripts/audit.sh

echo "== build (Release, warnings are errors)"
dotnet tool restore >/dev/null
dotnet build Grocery.Workflows.sln -c Release -nologo -clp:ErrorsOnly

echo "== test"
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo --collect "XPlat Code Coverage" --settings coverage.runsettings \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?
done

# One closing line over all test projects, read from the TRX counters.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test failed outside the tests (a class fixture's cleanup, a crashed test host): see the output above" >&2
fi
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi

echo "== coverage"
bash scripts/coverage.sh "$results" "${COVERAGE_MIN:-80}" || status=1
exit "$status"
