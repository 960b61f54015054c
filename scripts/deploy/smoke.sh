#!/usr/bin/env bash
# Smoke test of a running engine: is it ready, does it answer its API, does it export its metrics?
#
# Usage: bash scripts/deploy/smoke.sh <base-url> [<management-url>]
#   e.g. http://127.0.0.1:18080 http://127.0.0.1:19464
#   GET /health/ready   200                          at <base-url>
#   GET /api/stores     200 with a JSON body         at <base-url>, with SMOKE_TOKEN (an ops token from the provider)
#   GET /api/features   200                          at <base-url>, with SMOKE_TOKEN
#                       Without SMOKE_TOKEN both must answer 401 problem+json instead: the API refuses callers without
#                       a token (and the run says the API itself was not checked).
#   GET /metrics        200 with a sample of orders_completed_total (SMOKE_METRIC), at <management-url>: the management
#                       server (Management:Urls) serves it, the API port does not; without a management URL (a public
#                       address, which never routes to it) this check is skipped, and says so.
#
# Each check is tried up to SMOKE_ATTEMPTS times (default 10), SMOKE_DELAY seconds apart (default 3), so a pod that
# is still warming up or a port-forward that is still opening does not fail the run. Every check runs; the exit code
# is 0 when all passed, 1 otherwise, with one line per failure on stderr.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
  echo "usage: $0 <base-url> [<management-url>]" >&2
  exit 2
fi
base=${1%/}
management=${2:-}
management=${management%/}
attempts=${SMOKE_ATTEMPTS:-10}
delay=${SMOKE_DELAY:-3}
metric=${SMOKE_METRIC:-orders_completed_total}
token=${SMOKE_TOKEN:-}

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# GET url [auth]: the body goes to $body, "status content-type" to stdout ("000 " when nothing answered). The token is
# handed to curl on stdin as a header file, so that it never shows in the process list.
fetch() {
  local answer headers=()
  if [ "${2:-}" = auth ]; then headers=(--header @-); fi
  answer=$(printf 'Authorization: Bearer %s\n' "$token" | curl --silent --show-error --connect-timeout 3 --max-time 10 --output "$body" \
    "${headers[@]}" --write-out '%{http_code} %{content_type}' "$1" 2>/dev/null) || true
  echo "${answer:-000 }"
}

# Why the answer to a check is wrong, or nothing when it is right.
judge() {
  local kind=$1 status=$2 type=$3 content
  if [ "$kind" = refused ]; then
    if [ "$status" = 200 ]; then echo "answered without a token"
    elif [ "$status" != 401 ] || [[ $type != application/problem+json* ]]; then echo "HTTP $status (expected 401 problem+json)"; fi
    return
  fi
  if [ "$status" != 200 ]; then
    if [ "$status" = 000 ]; then echo "no answer (connection refused or timed out)"; else echo "HTTP $status"; fi
    return
  fi
  case $kind in
    json)
      content=$(<"$body")
      content=${content#"${content%%[![:space:]]*}"}
      if [[ $type != *json* ]] || { [[ $content != "{"* ]] && [[ $content != "["* ]]; }; then
        echo "not JSON (content type '${type:-none}')"
      fi
      ;;
    metric)
      if ! grep -Eq "^${metric}(\{| )" "$body"; then
        echo "no sample of $metric"
      fi
      ;;
  esac
}

failures=0
checks=0
# check <base> <path> <kind>
check() {
  local at=$1 path=$2 kind=$3 auth=${4:-} attempt status type problem=""
  checks=$((checks + 1))
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    read -r status type <<<"$(fetch "$at$path" "$auth")"
    problem=$(judge "$kind" "$status" "${type:-}")
    if [ -z "$problem" ]; then
      echo "smoke: ok   GET $path"
      return 0
    fi
    if [ "$attempt" -lt "$attempts" ]; then
      echo "smoke: ..   GET $path: $problem (attempt $attempt of $attempts)" >&2
      sleep "$delay"
    fi
  done
  echo "smoke: FAIL GET $at$path: $problem after $attempts attempts" >&2
  failures=$((failures + 1))
}

echo "smoke: testing $base${management:+ (management server $management)}"
check "$base" /health/ready status
if [ -n "$token" ]; then
  check "$base" /api/stores json auth
  check "$base" /api/features status auth
else
  echo "smoke: SMOKE_TOKEN is not set: checking that the API refuses callers without a token, not what it answers"
  check "$base" /api/stores refused
  check "$base" /api/features refused
fi
if [ -n "$management" ]; then
  check "$management" /metrics metric
else
  echo "smoke: skip GET /metrics: no management URL given (the API port does not serve it)"
fi

if [ "$failures" -gt 0 ]; then
  echo "smoke: $base failed $failures of $checks checks" >&2
  exit 1
fi
echo "smoke: $base passed $checks of $checks checks"
