#!/usr/bin/env bash
# Releases an image of the engine (k8s/, docs/deploy.md):
#   1. rolls Deployment grocery-engine (Host__Role=All) to the image; undoes the rollout if it does not finish;
#   2. rolls the idle API colour (the one Service grocery-api does not select) to the image at the live colour's
#      replica count, points grocery-api-preview at it and smoke-tests it (scripts/deploy/smoke.sh; /metrics through a
#      port-forward to the colour's management port, which no Service routes to);
#   3. switches grocery-api to the new colour, smoke-tests it again, and switches back if that fails;
#   4. after GRACE_SECONDS scales the old colour to zero (until then, switching back is one patch of grocery-api).
#
# Usage: bash scripts/deploy/blue-green.sh [--dry-run] <image>
#   --dry-run         print the commands that would change the cluster and run none of them (reads still run)
# Environment:
#   NAMESPACE         default grocery
#   KUBECTL           the kubectl to run (default kubectl); tests put a fake here
#   SMOKE             the smoke test, called with a base URL (default scripts/deploy/smoke.sh)
#   ROLLOUT_TIMEOUT   how long a rollout may take (default 10m)
#   GRACE_SECONDS     how long the old colour keeps running after the switch (default 300)
#   PREVIEW_URL       smoke-test the preview at this URL instead of through kubectl port-forward
#   LIVE_URL          smoke-test the live colour at this URL (e.g. the public https address) instead
#   LOCAL_PORT        the 127.0.0.1 port of the port-forward (default 18080)
#   LOCAL_METRICS_PORT  the 127.0.0.1 port of the port-forward to a pod's management port (default 19464)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
NAMESPACE=${NAMESPACE:-grocery}
SMOKE=${SMOKE:-$here/smoke.sh}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}
GRACE_SECONDS=${GRACE_SECONDS:-300}
LOCAL_PORT=${LOCAL_PORT:-18080}
LOCAL_METRICS_PORT=${LOCAL_METRICS_PORT:-19464}
PREVIEW_URL=${PREVIEW_URL:-}
LIVE_URL=${LIVE_URL:-}

# Names shared with k8s/: the deploy tests check that the manifests use them.
ENGINE=grocery-engine
API=grocery-api
LIVE_SERVICE=grocery-api
PREVIEW_SERVICE=grocery-api-preview
CONTAINER=grocery-workflows
METRICS_PORT=9464
MIN_API_REPLICAS=2

log() { printf '[%s] blue-green: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  printf '[%s] blue-green: FAILED: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
  exit 1
}
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

dry_run=false
image=""
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) usage; fail "unknown option $1" ;;
    *) [ -z "$image" ] || fail "one image only (got '$image' and '$1')"; image=$1; shift ;;
  esac
done
[ -n "$image" ] || { usage; fail "no image given"; }

k() { "$KUBECTL" --namespace "$NAMESPACE" "$@"; }

# A command that changes the cluster: shown, and run unless --dry-run.
change() {
  if $dry_run; then
    log "dry run: kubectl --namespace $NAMESPACE $*"
  else
    log "kubectl --namespace $NAMESPACE $*"
    k "$@"
  fi
}

rollout() {
  if $dry_run; then
    log "dry run: would wait for deployment/$1 to roll out (timeout $ROLLOUT_TIMEOUT)"
    return 0
  fi
  k rollout status "deployment/$1" --timeout "$ROLLOUT_TIMEOUT"
}

select_colour() {
  change patch service "$1" --type merge \
    --patch "{\"spec\":{\"selector\":{\"app.kubernetes.io/name\":\"$API\",\"color\":\"$2\"}}}"
}

forward_pids=()
stop_forward() {
  local pid
  for pid in "${forward_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  forward_pids=()
}
trap stop_forward EXIT

# A port-forward bound to 127.0.0.1, stopped by stop_forward.
forward() {
  # Not through k(): $! must be kubectl itself, not a subshell that would outlive the kill.
  "$KUBECTL" --namespace "$NAMESPACE" port-forward --address 127.0.0.1 "$1" "$2" >/dev/null 2>&1 &
  forward_pids+=("$!")
}

# Smoke-tests a Service, at the given URL or through a port-forward bound to 127.0.0.1, and the metrics of one pod of
# the colour's Deployment through a port-forward to its management port (no Service routes there).
smoke() {
  local service=$1 url=$2 colour=$3 status=0
  if $dry_run; then
    log "dry run: would smoke-test service/$service"
    return 0
  fi
  if [ -z "$url" ]; then
    forward "service/$service" "$LOCAL_PORT:80"
    url="http://127.0.0.1:$LOCAL_PORT"
  fi
  forward "deployment/$API-$colour" "$LOCAL_METRICS_PORT:$METRICS_PORT"
  log "smoke-testing service/$service at $url, metrics of deployment/$API-$colour"
  "$SMOKE" "$url" "http://127.0.0.1:$LOCAL_METRICS_PORT" || status=$?
  stop_forward
  return "$status"
}

show_logs() {
  log "last lines of deployment/$1:"
  k logs "deployment/$1" --all-containers --tail 40 2>&1 | sed 's/^/    /' || true
}

# --- 1. the engine: consumers, sagas, jobs, migrations -------------------------------------------------
log "releasing $image to namespace $NAMESPACE"
change set image "deployment/$ENGINE" "$CONTAINER=$image"
if ! rollout "$ENGINE"; then
  show_logs "$ENGINE"
  log "engine rollout did not finish: undoing it"
  change rollout undo "deployment/$ENGINE"
  rollout "$ENGINE" || log "warning: the undone engine rollout has not finished either; look at the pods"
  fail "deployment/$ENGINE did not roll out to $image; it is back on its previous revision, the API was not touched"
fi
log "engine runs $image"

# --- 2. the idle API colour --------------------------------------------------------------------------
live=$(k get service "$LIVE_SERVICE" --output 'jsonpath={.spec.selector.color}')
case $live in
  blue) idle=green ;;
  green) idle=blue ;;
  *) fail "service/$LIVE_SERVICE selects colour '$live'; expected blue or green" ;;
esac
replicas=$(k get deployment "$API-$live" --output 'jsonpath={.spec.replicas}')
if ! [[ $replicas =~ ^[0-9]+$ ]] || [ "$replicas" -lt "$MIN_API_REPLICAS" ]; then
  replicas=$MIN_API_REPLICAS
fi
log "live colour: $live ($replicas replicas); rolling $idle"

change set image "deployment/$API-$idle" "$CONTAINER=$image"
change scale "deployment/$API-$idle" --replicas "$replicas"
if ! rollout "$API-$idle"; then
  show_logs "$API-$idle"
  change scale "deployment/$API-$idle" --replicas 0
  fail "deployment/$API-$idle did not roll out to $image; $live stays live"
fi

select_colour "$PREVIEW_SERVICE" "$idle"
if ! smoke "$PREVIEW_SERVICE" "$PREVIEW_URL" "$idle"; then
  show_logs "$API-$idle"
  change scale "deployment/$API-$idle" --replicas 0
  fail "smoke test of $idle (service/$PREVIEW_SERVICE) failed; $live stays live"
fi

# --- 3. switch, and switch back if the live Service fails ----------------------------------------------
log "switching service/$LIVE_SERVICE from $live to $idle"
select_colour "$LIVE_SERVICE" "$idle"
if ! smoke "$LIVE_SERVICE" "$LIVE_URL" "$idle"; then
  log "smoke test of the live service failed: switching back to $live"
  select_colour "$LIVE_SERVICE" "$live"
  show_logs "$API-$idle"
  change scale "deployment/$API-$idle" --replicas 0
  fail "service/$LIVE_SERVICE failed its smoke test on $idle; it is back on $live"
fi
select_colour "$PREVIEW_SERVICE" "$live"
log "$idle is live with $image"

# --- 4. retire the old colour ------------------------------------------------------------------------
if $dry_run; then
  log "dry run: would wait ${GRACE_SECONDS}s, then scale $API-$live to 0"
else
  log "keeping $live for ${GRACE_SECONDS}s (to switch back: kubectl -n $NAMESPACE patch service $LIVE_SERVICE --type merge" \
    "-p '{\"spec\":{\"selector\":{\"color\":\"$live\"}}}')"
  sleep "$GRACE_SECONDS"
  # Still the old colour? Someone may have switched back during the grace period.
  current=$(k get service "$LIVE_SERVICE" --output 'jsonpath={.spec.selector.color}')
  if [ "$current" != "$idle" ]; then
    fail "service/$LIVE_SERVICE selects '$current' now, not $idle: $API-$live is left running"
  fi
  change scale "deployment/$API-$live" --replicas 0
fi
log "done: engine and $API-$idle run $image"
