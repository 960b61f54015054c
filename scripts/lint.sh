#!/usr/bin/env bash
# Lints what the compiler does not see: every YAML file (yamllint), every shell script (shellcheck), the
# Prometheus rules (promtool check, then the rule unit tests) and the Alertmanager routing (amtool check-config, then
# where every alert of the rules is routed). Part of the test command.
#
# Usage: bash scripts/lint.sh   (bash scripts/tools.sh installs the checkers)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "-- yamllint"
yamllint --strict .

echo "-- shellcheck"
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' '.ci/run')
shellcheck -x "${scripts[@]}"

echo "-- promtool"
mapfile -t rules < <(find deploy/prometheus/rules -name '*.yml' | sort)
promtool check rules "${rules[@]}"
bash deploy/prometheus/check-config.sh
(cd deploy/prometheus && promtool test rules tests/*.yml)

echo "-- amtool"
bash deploy/alertmanager/check.sh
