#!/usr/bin/env bash
# Merges the Cobertura reports the test projects wrote (coverlet.collector) into one, writes a text summary, and
# fails when line coverage is below the threshold. Part of the test command.
#
# Usage: bash scripts/coverage.sh RESULTS_DIR [MIN_LINE_PERCENT]   (default 80)
#   reads RESULTS_DIR/**/coverage.cobertura.xml, writes RESULTS_DIR/coverage/{Cobertura.xml,Summary.txt,summary.txt}
set -euo pipefail

results=${1:?usage: coverage.sh RESULTS_DIR [MIN_LINE_PERCENT]}
minimum=${2:-80}
if ! [[ $minimum =~ ^[0-9]+$ ]] || [ "$minimum" -gt 100 ]; then
  echo "coverage: MIN_LINE_PERCENT must be 0-100, not '$minimum'" >&2
  exit 2
fi
cd "$(dirname "$0")/.."

mapfile -t reports < <(find "$results" -name coverage.cobertura.xml -not -path "$results/coverage/*" | sort)
if [ ${#reports[@]} -eq 0 ]; then
  echo "coverage: no coverage.cobertura.xml under $results (were the tests run with --collect \"XPlat Code Coverage\"?)" >&2
  exit 1
fi

out=$results/coverage
rm -rf "$out"
joined=$(IFS=';'; echo "${reports[*]}")
dotnet tool run reportgenerator "-reports:$joined" "-targetdir:$out" "-reporttypes:Cobertura;TextSummary" "-filefilters:-*/obj/*" -verbosity:Error >&2

# The merged report's root element counts lines over every assembly: integers, so no floating point in bash.
root=$(grep -o '<coverage [^>]*>' "$out/Cobertura.xml" | head -n 1)
covered=$(sed -n 's/.* lines-covered="\([0-9]*\)".*/\1/p' <<<"$root")
valid=$(sed -n 's/.* lines-valid="\([0-9]*\)".*/\1/p' <<<"$root")
if [ -z "$covered" ] || [ -z "$valid" ] || [ "$valid" -eq 0 ]; then
  echo "coverage: the merged report has no line counts" >&2
  exit 1
fi

percent=$(awk -v c="$covered" -v v="$valid" 'BEGIN { printf "%.1f", 100 * c / v }')
line="line coverage $percent % ($covered of $valid lines, ${#reports[@]} reports); minimum $minimum %"
# Per assembly: the summary's unindented lines below its header.
{
  echo "$line"
  sed -n '/^Grocery\.Workflows\./p' "$out/Summary.txt"
} >"$out/summary.txt"
echo "$line"
if [ $((covered * 100)) -lt $((minimum * valid)) ]; then
  echo "coverage: below the minimum of $minimum %" >&2
  exit 1
fi
