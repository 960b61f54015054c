#!/usr/bin/env bash
# Checks deploy/alertmanager/alertmanager.yml with amtool (check-config), then routes every alert defined in
# deploy/prometheus/rules/*.yml through it with that rule's own labels (severity, slo, ...) plus store=hcm-01, and
# compares the receiver amtool resolves with the one routes-expected.txt names. Fails when amtool is missing, when an
# alert of the rules has no expected receiver, when an expectation names an alert no rule defines, and when an alert
# is routed elsewhere. Needs amtool (Debian package prometheus-alertmanager: bash scripts/tools.sh) and python3 with
# PyYAML (as deploy/prometheus/check-config.sh does).
#
# Usage: bash deploy/alertmanager/check.sh
#   GROCERY_ALERT_RULES=DIR       rule files to read instead of deploy/prometheus/rules (tests)
#   GROCERY_ROUTES_EXPECTED=FILE  expectations to read instead of deploy/alertmanager/routes-expected.txt (tests)
set -euo pipefail

# Checked first, with builtins only: a missing amtool must say so, not fail later on something else.
if ! command -v amtool >/dev/null 2>&1; then
  echo "alertmanager check: error: amtool is missing; install it with: bash scripts/tools.sh (Debian package prometheus-alertmanager)" >&2
  exit 1
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
config="$here/alertmanager.yml"
rules_dir="${GROCERY_ALERT_RULES:-$root/deploy/prometheus/rules}"
expected_file="${GROCERY_ROUTES_EXPECTED:-$here/routes-expected.txt}"
store=hcm-01

amtool check-config "$config"

# One line per alerting rule: the alert name, then the rule's static labels as name=value.
alerts="$(python3 - "$rules_dir" <<'PY'
import glob
import os
import sys

import yaml

files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yml")))
if not files:
    sys.exit(f"no rule files in {sys.argv[1]}")
for path in files:
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f) or {}
    for group in document.get("groups") or []:
        for rule in group.get("rules") or []:
            if "alert" not in rule:
                continue
            labels = rule.get("labels") or {}
            print(" ".join([rule["alert"]] + [f"{name}={value}" for name, value in sorted(labels.items())]))
PY
)"

declare -A expected=()
while read -r name receiver rest; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -z "$receiver" || -n "$rest" ]]; then
    echo "alertmanager check: error: $expected_file: expected '<alertname> <receiver>', got: $name $receiver $rest" >&2
    exit 1
  fi
  expected[$name]="$receiver"
done <"$expected_file"

failures=0
checked=0
declare -A seen=()
while read -r name labels; do
  [ -z "$name" ] && continue
  seen[$name]=1
  want="${expected[$name]:-}"
  if [ -z "$want" ]; then
    echo "FAIL $name: no expected receiver in $(basename "$expected_file"); add a line '$name <receiver>'"
    failures=$((failures + 1))
    continue
  fi
  read -r -a label_args <<<"$labels"
  got="$(amtool config routes test --config.file="$config" "alertname=$name" "store=$store" "${label_args[@]}" 2>/dev/null)" || got="(amtool failed)"
  checked=$((checked + 1))
  if [ "$got" = "$want" ]; then
    echo "ok   $name ($labels) -> $got"
  else
    echo "FAIL $name ($labels): routed to '$got', expected '$want'"
    failures=$((failures + 1))
  fi
done <<<"$alerts"

for name in "${!expected[@]}"; do
  if [ -z "${seen[$name]:-}" ]; then
    echo "FAIL $name: expected in $(basename "$expected_file") but no rule defines it"
    failures=$((failures + 1))
  fi
done

if [ "$checked" -eq 0 ]; then
  echo "alertmanager check: error: no alert found in $rules_dir" >&2
  exit 1
fi
if [ "$failures" -gt 0 ]; then
  echo "alertmanager check: $failures problem(s); $checked alert(s) routed" >&2
  exit 1
fi
echo "alertmanager check: $checked alerts routed as expected"
