#!/usr/bin/env bash
# Releases an image of the engine on the canary track (k8s/base, docs/deploy.md), for changes too risky for a plain
# blue-green release (a new payment integration, a saga rewrite):
#   1. gives grocery-api-canary and grocery-engine-canary the image;
#   2. for each step of STEPS (5, 25, 100 per cent): scales both canaries, sets the canary Ingress' weight (the API's
#      share of requests) and the engine canary's replica count (its share of the messages: canary pods over all
#      engine pods; at 100 the stable engine is scaled to zero), then holds the step for STEP_SECONDS and asks
#      Prometheus CHECKS_PER_STEP times for the SLO burn rates;
#   3. at the end of the last step promotes: the stable engine and the live API colour get the image, the weight goes
#      back to 0 and both canaries to zero pods.
# A burn rate above BURN_RATE_THRESHOLD, a Prometheus that cannot be asked, a canary that does not roll out or any other
# failure rolls back: weight 0, the stable engine back at its replica count, both canaries at zero; the exit status is 1.
#
# Usage: bash scripts/deploy/canary.sh <image>
# Environment:
#   PROMETHEUS_URL       Prometheus' base URL, e.g. http://prometheus.monitoring:9090 (required)
#   NAMESPACE            default grocery
#   KUBECTL              the kubectl to run (default kubectl); tests put a fake here
#   STEPS                the canary's shares in per cent, ending with 100 (default "5 25 100")
#   STEP_SECONDS         how long each step is held (default 600)
#   CHECKS_PER_STEP      burn-rate checks during a step, one every STEP_SECONDS / CHECKS_PER_STEP (default 5)
#   BURN_RATE_THRESHOLD  the burn rate that rolls back (default 14.4: the fast page alert of grocery-slo-alerts.yml)
#   ROLLOUT_TIMEOUT      how long a rollout may take (default 10m)
#   PROMETHEUS_TIMEOUT   seconds a query may take (default 10)
set -euo pipefail

KUBECTL=${KUBECTL:-kubectl}
NAMESPACE=${NAMESPACE:-grocery}
PROMETHEUS_URL=${PROMETHEUS_URL:-}
STEPS=${STEPS:-5 25 100}
STEP_SECONDS=${STEP_SECONDS:-600}
CHECKS_PER_STEP=${CHECKS_PER_STEP:-5}
BURN_RATE_THRESHOLD=${BURN_RATE_THRESHOLD:-14.4}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}
PROMETHEUS_TIMEOUT=${PROMETHEUS_TIMEOUT:-10}

# Names shared with k8s/base: the deploy tests check that the manifests use them.
ENGINE=grocery-engine
ENGINE_CANARY=grocery-engine-canary
API=grocery-api
API_CANARY=grocery-api-canary
LIVE_SERVICE=grocery-api
CANARY_INGRESS=grocery-api-canary
CONTAINER=grocery-workflows
WEIGHT_ANNOTATION=nginx.ingress.kubernetes.io/canary-weight
MIN_API_REPLICAS=2
# Recording rules of deploy/prometheus/rules/grocery-recording.yml: the short (5 m) window of the fast page alerts,
# the only one that a step of minutes can move. The first two cover every pod, stable and canary alike; the canary_
# ones the canary's pods alone (label track="canary"), so that a canary failing its own requests is seen at 5 %.
BURN_RATE_RULES=(
  grocery:checkout_latency_slo:burn_rate5m grocery:slot_booking_slo:burn_rate5m
  grocery:canary_checkout_latency_slo:burn_rate5m grocery:canary_slot_booking_slo:burn_rate5m
)

log() { printf '[%s] canary: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  printf '[%s] canary: FAILED: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
  exit 1
}
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

image=""
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    -*) usage; fail "unknown option $1" ;;
    *) [ -z "$image" ] || fail "one image only (got '$image' and '$1')"; image=$1; shift ;;
  esac
done
[ -n "$image" ] || { usage; fail "no image given"; }
[ -n "$PROMETHEUS_URL" ] || fail "PROMETHEUS_URL is not set: without the burn rates the canary cannot be judged"
command -v jq >/dev/null || fail "jq is needed to read Prometheus' answers"
[[ $STEP_SECONDS =~ ^[0-9]+$ ]] || fail "STEP_SECONDS must be a whole number of seconds"
[[ $CHECKS_PER_STEP =~ ^[1-9][0-9]*$ ]] || fail "CHECKS_PER_STEP must be 1 or more"
read -r -a steps <<<"$STEPS"
if [ "${#steps[@]}" -eq 0 ] || [ "${steps[-1]}" != 100 ]; then
  fail "STEPS must end with 100 (got '$STEPS')"
fi
for weight in "${steps[@]}"; do
  if ! [[ $weight =~ ^[0-9]+$ ]] || [ "$weight" -lt 1 ] || [ "$weight" -gt 100 ]; then
    fail "a step of STEPS is not 1 to 100: '$weight'"
  fi
done

k() { "$KUBECTL" --namespace "$NAMESPACE" "$@"; }

replicas_of() {
  local count
  count=$(k get deployment "$1" --output 'jsonpath={.spec.replicas}')
  [[ $count =~ ^[0-9]+$ ]] || fail "deployment/$1 has no replica count ('$count')"
  echo "$count"
}

# Rolled back by the EXIT trap unless the release got to its end.
started=false
finished=false
stable_engine_down=false

set_weight() { k annotate ingress "$CANARY_INGRESS" "$WEIGHT_ANNOTATION=$1" --overwrite; }

rollback() {
  set +e
  log "rolling back: canary weight 0, $ENGINE at $engine_replicas, both canaries at zero"
  set_weight 0
  if $stable_engine_down; then
    k scale "deployment/$ENGINE" --replicas "$engine_replicas"
    k rollout status "deployment/$ENGINE" --timeout "$ROLLOUT_TIMEOUT" || log "warning: $ENGINE is not back up yet; look at its pods"
  fi
  k scale "deployment/$API_CANARY" --replicas 0
  k scale "deployment/$ENGINE_CANARY" --replicas 0
}

on_exit() {
  local status=$?
  if $started && ! $finished; then
    rollback
    printf '[%s] canary: rolled back: no request or message goes to the canary track\n' "$(date -u +%H:%M:%S)" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 1' INT TERM

rollout() {
  k rollout status "deployment/$1" --timeout "$ROLLOUT_TIMEOUT" || fail "deployment/$1 did not roll out"
}

# Every burn-rate rule, asked once: fails (and so rolls back) when a rate is above the threshold, when Prometheus does
# not answer, or answers something other than a vector of numbers. No sample means no traffic in the window: no verdict.
check_burn_rates() {
  local rule body values value
  for rule in "${BURN_RATE_RULES[@]}"; do
    if ! body=$(curl --silent --show-error --fail --max-time "$PROMETHEUS_TIMEOUT" --get \
      --data-urlencode "query=$rule" "$PROMETHEUS_URL/api/v1/query" 2>&1); then
      fail "Prometheus at $PROMETHEUS_URL did not answer for $rule ($body)"
    fi
    if ! values=$(jq -er 'select(.status == "success" and .data.resultType == "vector") | .data.result[].value[1]' <<<"$body" 2>/dev/null) \
      && ! jq -e '.status == "success" and .data.resultType == "vector" and (.data.result | length) == 0' <<<"$body" >/dev/null 2>&1; then
      fail "Prometheus' answer for $rule is not a vector: $body"
    fi
    if [ -z "$values" ]; then
      log "  $rule: no sample (no traffic in the window)"
      continue
    fi
    while read -r value; do
      [[ $value =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || fail "$rule is '$value', not a burn rate"
      if awk -v v="$value" -v t="$BURN_RATE_THRESHOLD" 'BEGIN { exit !(v + 0 > t + 0) }'; then
        fail "$rule is $value, above $BURN_RATE_THRESHOLD"
      fi
      log "  $rule: $value (threshold $BURN_RATE_THRESHOLD)"
    done <<<"$values"
  done
}

hold() {
  local weight=$1 check interval=$((STEP_SECONDS / CHECKS_PER_STEP))
  for check in $(seq "$CHECKS_PER_STEP"); do
    sleep "$interval"
    log "step $weight %, check $check of $CHECKS_PER_STEP"
    check_burn_rates
  done
}

# --- where the release starts ----------------------------------------------------------------------------
live=$(k get service "$LIVE_SERVICE" --output 'jsonpath={.spec.selector.color}')
case $live in
  blue | green) ;;
  *) fail "service/$LIVE_SERVICE selects colour '$live'; expected blue or green" ;;
esac
api_replicas=$(replicas_of "$API-$live")
[ "$api_replicas" -ge "$MIN_API_REPLICAS" ] || api_replicas=$MIN_API_REPLICAS
engine_replicas=$(replicas_of "$ENGINE")
[ "$engine_replicas" -ge 1 ] || fail "deployment/$ENGINE has no pods: nothing to compare the canary with"
log "canary release of $image in namespace $NAMESPACE: live colour $live ($api_replicas API pods), $engine_replicas engine pods"

started=true
k set image "deployment/$API_CANARY" "$CONTAINER=$image"
k set image "deployment/$ENGINE_CANARY" "$CONTAINER=$image"

# --- the steps ---------------------------------------------------------------------------------------------
for weight in "${steps[@]}"; do
  if [ "$weight" -lt 100 ]; then
    # c / (engine_replicas + c) >= weight %, with at least one pod: the share is coarse with few engine pods.
    engine_canary=$(((engine_replicas * weight + 100 - weight - 1) / (100 - weight)))
    [ "$engine_canary" -ge 1 ] || engine_canary=1
  else
    engine_canary=$engine_replicas
  fi
  api_canary=$(((api_replicas * weight + 99) / 100))
  [ "$api_canary" -ge "$MIN_API_REPLICAS" ] || api_canary=$MIN_API_REPLICAS

  log "step $weight %: $API_CANARY at $api_canary pods, $ENGINE_CANARY at $engine_canary pods"
  k scale "deployment/$API_CANARY" --replicas "$api_canary"
  k scale "deployment/$ENGINE_CANARY" --replicas "$engine_canary"
  rollout "$API_CANARY"
  rollout "$ENGINE_CANARY"
  if [ "$weight" -eq 100 ]; then
    stable_engine_down=true
    k scale "deployment/$ENGINE" --replicas 0
    log "engine: every message goes to $ENGINE_CANARY"
  else
    log "engine: $engine_canary of $((engine_replicas + engine_canary)) pods are canaries"
  fi
  set_weight "$weight"
  log "API: $weight of every 100 requests go to $API_CANARY"
  hold "$weight"
done

# --- promotion ---------------------------------------------------------------------------------------------
log "promoting $image: $ENGINE and $API-$live get it"
k set image "deployment/$ENGINE" "$CONTAINER=$image"
k scale "deployment/$ENGINE" --replicas "$engine_replicas"
if ! k rollout status "deployment/$ENGINE" --timeout "$ROLLOUT_TIMEOUT"; then
  k rollout undo "deployment/$ENGINE"
  fail "deployment/$ENGINE did not roll out to $image; its previous revision is back"
fi
stable_engine_down=false
# No request reaches the live colour while the weight is 100: it rolls without traffic.
k set image "deployment/$API-$live" "$CONTAINER=$image"
if ! k rollout status "deployment/$API-$live" --timeout "$ROLLOUT_TIMEOUT"; then
  k rollout undo "deployment/$API-$live"
  fail "deployment/$API-$live did not roll out to $image; its previous revision is back, $ENGINE runs $image already"
fi
set_weight 0
k scale "deployment/$API_CANARY" --replicas 0
k scale "deployment/$ENGINE_CANARY" --replicas 0
finished=true
log "done: $ENGINE and $API-$live run $image; the canaries are at zero"
