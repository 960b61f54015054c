#!/usr/bin/env bash
# Makes the test command's checkers available: promtool (Debian package prometheus), amtool (Debian package
# prometheus-alertmanager: deploy/alertmanager/check.sh), yamllint, shellcheck, jq
# (scripts/demo.sh needs it, and a test runs the demo), kubectl (Debian package kubernetes-client: the deploy tests
# render k8s/ with kubectl kustomize), and Debian's chromium for the ops console's browser tests
# (Playwright drives it from /usr/bin/chromium; no browser is downloaded).
# Installs from Debian's packages whatever is missing; never starts a service (the prometheus and
# prometheus-alertmanager packages would start a Prometheus server and an Alertmanager: a policy-rc.d answering 101
# keeps them down for the install). Running it again is cheap.
#
# Usage: bash scripts/tools.sh
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
log() { printf 'tools: %s\n' "$*" >&2; }

packages=()
command -v promtool >/dev/null || packages+=(prometheus)
command -v amtool >/dev/null || packages+=(prometheus-alertmanager)
command -v yamllint >/dev/null || packages+=(yamllint)
command -v shellcheck >/dev/null || packages+=(shellcheck)
command -v jq >/dev/null || packages+=(jq)
# kubectl kustomize renders the k8s/ overlays in the deploy tests (they need kustomize v5's syntax; see docs/deploy.md).
command -v kubectl >/dev/null || packages+=(kubernetes-client)
[ -x /usr/bin/chromium ] || packages+=(chromium)
if [ ${#packages[@]} -eq 0 ]; then
  log "already installed: promtool, amtool, yamllint, shellcheck, jq, kubectl, chromium"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    log "error: installing ${packages[*]} needs root: run as root or with passwordless sudo"
    exit 1
  fi
  sudo=(sudo -n)
fi

policy=/usr/sbin/policy-rc.d
created_policy=false
cleanup() { if $created_policy; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  created_policy=true
fi

apt_log=/tmp/grocery-tools-apt.log
log "installing ${packages[*]} (log: $apt_log)"
"${sudo[@]}" apt-get update </dev/null >>"$apt_log" 2>&1 || log "warning: apt-get update reported errors; trying the install anyway"
if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
  "${packages[@]}" </dev/null >>"$apt_log" 2>&1; then
  tail -n 20 "$apt_log" >&2
  log "error: apt-get install ${packages[*]} failed"
  exit 1
fi
command -v promtool >/dev/null && command -v amtool >/dev/null && command -v yamllint >/dev/null && command -v shellcheck >/dev/null \
  && command -v jq >/dev/null && command -v kubectl >/dev/null && [ -x /usr/bin/chromium ]
log "installed ${packages[*]}"
