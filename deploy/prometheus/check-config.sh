#!/usr/bin/env bash
# Checks deploy/prometheus/prometheus.yml (and the rule files it loads) with promtool; run from anywhere.
#
# Debian's promtool (the one apt installs) is built without Kubernetes service discovery and refuses
# kubernetes_sd_configs ("field kubernetes_sd_configs not found"). With such a promtool this script checks a copy of
# the configuration whose kubernetes_sd_configs are replaced by a placeholder static target, so everything else (global
# settings, relabelling, alerting, rule files) is still checked, and says so. An upstream promtool checks the file
# itself.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if out="$(promtool check config "$here/prometheus.yml" 2>&1)"; then
  printf '%s\n' "$out"
  exit 0
fi

if ! grep -q 'field kubernetes_sd_configs not found' <<<"$out"; then
  printf '%s\n' "$out" >&2
  exit 1
fi

echo "promtool has no Kubernetes service discovery (a Debian build): checking prometheus.yml with kubernetes_sd_configs" \
  "replaced by a static placeholder target."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$here/prometheus.yml" "$tmp/prometheus.yml" <<'PY'
import os
import sys

import yaml

source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as f:
    config = yaml.safe_load(f)
base = os.path.dirname(source)
# rule_files are relative to the configuration file: keep them pointing at the real ones.
config["rule_files"] = [os.path.join(base, pattern) for pattern in config.get("rule_files", [])]
for scrape in config.get("scrape_configs", []):
    if scrape.pop("kubernetes_sd_configs", None) is not None:
        scrape.setdefault("static_configs", []).append({"targets": ["placeholder.invalid:9464"]})
with open(target, "w", encoding="utf-8") as f:
    yaml.safe_dump(config, f, sort_keys=False)
PY
promtool check config "$tmp/prometheus.yml"
