#!/usr/bin/env bash
# Load test of the engine as the storefront's customers use it: Locust (load/locustfile.py, Debian's python3-locust,
# installed here when missing) drives one engine process over HTTP on loopback with one storefront token, then a
# table of Locust's figures and one JSON line (load/summary.py: requests, failures, p50/p95/p99 per route, the budgets
# judged on p99: search <= 500 ms, checkout <= 1000 ms, slots <= 500 ms). The model behind the mix: load/README.md.
#
# Usage: bash scripts/load.sh [--quick] [--stack embedded|production] [--users N] [--spawn-rate R] [--run-time 90s]
#   --quick        the whole run within 5 minutes (build, start, seed, 75 s of load, stop): 120 users, the peak hour
#   (default)      5 minutes of load with 300 users (2.5 times the peak hour)
#   --stack        embedded (default): SQLite, in-memory transport, database slot store, simulator, sandbox payments;
#                  production: PostgreSQL (a database of its own, dropped afterwards), RabbitMQ (a virtual host of its
#                  own, deleted afterwards) and the Redis slot store (a key prefix of its own), from scripts/services.sh
#   --users N      concurrent shoppers (Locust users); --spawn-rate R  started per second; --run-time  e.g. 90s, 5m
#
# The engine is built in Release (under flock /tmp/grocery-build.lock) and started from the build output in a fresh
# temporary directory (its own SQLite database and token signing key), in Development (its own token issuer, the
# simulator and the sandbox provider) on free loopback ports, logging warnings and errors only. Settings for the run:
#   - RateLimits:OrdersPerClient is raised to 100,000/s: the storefront backend's one token carries every customer's
#     orders, and its default 20/s would cap the test rather than the engine;
#   - Simulation:AnswerSubstitutions is false: the simulator still plays pickers and couriers, but Locust answers the
#     substitution questions.
# The token comes from the host's own token command and reaches Locust and load/warmup.py in GROCERY_TOKEN only.
# The engine is warmed (load/warmup.py) before Locust measures. The engine is stopped (SIGTERM, SIGKILL after 30 s)
# and its directory removed on every exit, Ctrl-C included; a failed run, or one where the engine logged an error, keeps
# its logs in /tmp/grocery-load-logs.*.
# stderr also says how busy the machine's CPU was during the load, and how much of that was the engine and Locust.
#
# Exit code: 0 when Locust ran and no request failed; 1 when a request failed (5xx, unexpected 4xx, timeout), the
# engine died or Locust did not finish; 2 for bad arguments. A budget missed does not fail the run: the JSON says so.
set -euo pipefail
root=$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PYTHON=/usr/bin/python3
HOST_DLL=src/Host/bin/Release/net10.0/Grocery.Workflows.Host.dll
READY_TIMEOUT=180
STOP_TIMEOUT=30
# Orders one token may place: far above anything this machine can take, so that the engine is what is measured.
ORDER_PERMITS=100000

log() { printf 'load: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}
bad_usage() {
  log "error: $*"
  usage
  exit 2
}

# --- options: checked before anything is installed, built or started -----------------------------------------------
quick=false stack=embedded users='' spawn_rate='' run_time=''
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=true; shift ;;
    --stack | --users | --spawn-rate | --run-time)
      [ $# -ge 2 ] || bad_usage "$1 needs a value"
      case $1 in
        --stack) stack=$2 ;;
        --users) users=$2 ;;
        --spawn-rate) spawn_rate=$2 ;;
        --run-time) run_time=$2 ;;
      esac
      shift 2 ;;
    --stack=*) stack=${1#*=}; shift ;;
    --users=*) users=${1#*=}; shift ;;
    --spawn-rate=*) spawn_rate=${1#*=}; shift ;;
    --run-time=*) run_time=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_usage "unknown argument: $1" ;;
  esac
done
case $stack in
  embedded | production) ;;
  *) bad_usage "--stack must be embedded or production, not '$stack'" ;;
esac
if $quick; then
  mode=quick
  : "${users:=120}" "${spawn_rate:=10}" "${run_time:=75s}"
else
  mode=full
  : "${users:=300}" "${spawn_rate:=10}" "${run_time:=5m}"
fi
[[ $users =~ ^[1-9][0-9]{0,4}$ ]] || bad_usage "--users must be a whole number from 1 to 99999, not '$users'"
if [[ ! $spawn_rate =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $spawn_rate =~ ^0+(\.0+)?$ ]]; then
  bad_usage "--spawn-rate must be a positive number, not '$spawn_rate'"
fi
if [[ $run_time =~ ^([1-9][0-9]*)(s|m|h)?$ ]]; then
  case ${BASH_REMATCH[2]} in
    m) run_seconds=$((BASH_REMATCH[1] * 60)) ;;
    h) run_seconds=$((BASH_REMATCH[1] * 3600)) ;;
    *) run_seconds=${BASH_REMATCH[1]} ;;
  esac
else
  bad_usage "--run-time must be a duration like 90s, 5m or 1h, not '$run_time'"
fi

# --- Locust, from Debian's package (as scripts/tools.sh installs its tools) ------------------------------------------
install_locust() {
  local sudo=() apt_log=/tmp/grocery-load-apt.log
  if [ "$(id -u)" -ne 0 ]; then
    if ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
      die "installing python3-locust needs root: run as root or with passwordless sudo"
    fi
    sudo=(sudo -n)
  fi
  log "installing python3-locust (log: $apt_log)"
  "${sudo[@]}" apt-get update </dev/null >>"$apt_log" 2>&1 || log "warning: apt-get update reported errors; trying the install anyway"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
    python3-locust </dev/null >>"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install python3-locust failed (log: $apt_log)"
  fi
  "$PYTHON" -c 'import locust' 2>/dev/null || die "python3-locust is installed, yet $PYTHON cannot import locust"
}
if ! "$PYTHON" -c 'import locust' 2>/dev/null; then
  install_locust
fi

# --- everything below is cleaned up on exit ----------------------------------------------------------------------------
work=$(mktemp -d /tmp/grocery-load.XXXXXX)
host_pid=
database=
vhost=
redis_prefix=
admin_url=

stop_host() {
  local waited=0
  [ -n "$host_pid" ] || return 0
  if kill -0 "$host_pid" 2>/dev/null; then
    log "stopping the engine (pid $host_pid)"
    kill -TERM "$host_pid" 2>/dev/null || true
    while kill -0 "$host_pid" 2>/dev/null && [ "$waited" -lt "$STOP_TIMEOUT" ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if kill -0 "$host_pid" 2>/dev/null; then
      log "the engine did not stop within $STOP_TIMEOUT s: SIGKILL"
      kill -KILL "$host_pid" 2>/dev/null || true
    fi
  fi
  wait "$host_pid" 2>/dev/null || true
  host_pid=
}

rabbitmqctl_() {
  RABBITMQ_NODENAME=rabbit@localhost PATH="$PATH:/usr/sbin:/usr/local/sbin" timeout 60 rabbitmqctl "$@" >/dev/null 2>&1
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_host
  if [ -n "$database" ]; then
    psql -w -X -q "$admin_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 ||
      log "warning: could not drop database $database"
  fi
  if [ -n "$vhost" ]; then
    rabbitmqctl_ delete_vhost "$vhost" || log "warning: could not delete RabbitMQ virtual host $vhost"
  fi
  if [ -n "$redis_prefix" ] && command -v redis-cli >/dev/null; then
    redis-cli -h "${GROCERY_REDIS%:*}" -p "${GROCERY_REDIS##*:}" --scan --pattern "$redis_prefix*" 2>/dev/null |
      xargs -r -n 500 redis-cli -h "${GROCERY_REDIS%:*}" -p "${GROCERY_REDIS##*:}" unlink >/dev/null 2>&1 ||
      log "warning: could not delete the Redis keys $redis_prefix*"
  fi
  # A failed run, or one where the engine logged an error, keeps its logs and Locust's CSV files (not the database, not
  # the key) for a look afterwards.
  if { { [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; } || grep -qE '^(fail|crit): ' "$work/engine.log" 2>/dev/null; } &&
    compgen -G "$work/*.log" >/dev/null; then
    kept=$(mktemp -d /tmp/grocery-load-logs.XXXXXX)
    cp "$work"/*.log "$kept"/ 2>/dev/null || true
    cp "$work"/*.csv "$kept"/ 2>/dev/null || true
    log "logs of this run: $kept"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the stack -----------------------------------------------------------------------------------------------------------
host_env=(
  ASPNETCORE_ENVIRONMENT=Development
  DOTNET_CLI_TELEMETRY_OPTOUT=1
  "RateLimits__OrdersPerClient__Permits=$ORDER_PERMITS"
  "RateLimits__OrdersPerClient__Burst=$ORDER_PERMITS"
  # Warnings and errors only: a log line per notification would be most of the engine's output under load.
  Logging__LogLevel__Default=Warning
)
if [ "$stack" = production ]; then
  exports=$(bash scripts/services.sh)
  eval "$exports"
  command -v psql >/dev/null || die "psql is needed for the production stack"
  run_id="load_$(date +%Y%m%d%H%M%S)_$$"
  database="grocery_$run_id"
  # GROCERY_POSTGRES is Host=...;Port=...;Database=grocery;Username=...;Password=...: the same server, another database.
  pg() { sed -n "s/.*\\b$1=\\([^;]*\\).*/\\1/p" <<<"$GROCERY_POSTGRES"; }
  admin_url="postgresql://$(pg Username):$(pg Password)@$(pg Host):$(pg Port)/postgres"
  psql -w -X -q -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE $database" >/dev/null ||
    { database=; die "could not create database $database"; }
  vhost="grocery-$run_id"
  rabbitmqctl_ add_vhost "$vhost" || { vhost=; die "could not add RabbitMQ virtual host grocery-$run_id"; }
  rabbitmqctl_ set_permissions -p "$vhost" guest '.*' '.*' '.*' || die "could not open virtual host $vhost to guest"
  host_env+=(
    Persistence__Provider=PostgreSql
    "ConnectionStrings__Workflows=${GROCERY_POSTGRES/Database=grocery/Database=$database}"
    Transport__Kind=RabbitMq
    "ConnectionStrings__RabbitMq=${GROCERY_RABBITMQ%/}/$vhost"
    Slots__Store=Redis
    "ConnectionStrings__Redis=$GROCERY_REDIS"
    "Slots__KeyPrefix=$database:"
  )
  redis_prefix="$database:"
fi

# The simulator plays the pickers and couriers, but not the customers: Locust answers the substitution questions (the
# simulator would answer each within Simulation:StepDelay, before any storefront could).
host_env+=(Simulation__AnswerSubstitutions=false)

log "building the engine (Release)"
phase_started=$SECONDS
# Others build on this machine too: the time spent waiting for their build is told apart from our own.
# shellcheck disable=SC2016 # expanded by the inner shell
flock /tmp/grocery-build.lock bash -c 'date +%s >"$1"; exec dotnet build src/Host -c Release -nologo -v quiet' _ "$work/locked" \
  >"$work/build.log" 2>&1 || {
  tail -n 30 "$work/build.log" >&2
  die "the build failed (someone may be mid-edit: try again)"
}
dll=$root/$HOST_DLL
waited=$(($(cat "$work/locked") - $(date +%s) + SECONDS - phase_started))
log "built in $((SECONDS - phase_started - waited)) s, after waiting $waited s for others' builds (flock)"
phase_started=$SECONDS

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A port picked free may be taken again before the engine binds it (after its migrations and seed): then it exits,
# and is started once more on other ports, with its start-up work done.
data=$work/engine
mkdir -p "$data"
started=false
for attempt in 1 2 3; do
  port=$(free_port)
  management=$(free_port)
  base="http://127.0.0.1:$port"
  host_env_run=("${host_env[@]}" "Urls=$base" "Management__Urls=http://127.0.0.1:$management")
  log "starting the engine ($stack) on $base, in $data (log: $work/engine.log)"
  # A session of its own: a Ctrl-C reaches this script and Locust, and the engine is stopped by cleanup, in order.
  (cd "$data" && exec setsid env "${host_env_run[@]}" dotnet "$dll") </dev/null >>"$work/engine.log" 2>&1 &
  host_pid=$!
  deadline=$((SECONDS + READY_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$host_pid" 2>/dev/null; then
      break
    fi
    if curl -sf -o /dev/null --max-time 5 "$base/health/ready"; then
      started=true
      break
    fi
    sleep 1
  done
  $started && break
  if ! kill -0 "$host_pid" 2>/dev/null && grep -q "address already in use" "$work/engine.log" && [ "$attempt" -lt 3 ]; then
    wait "$host_pid" 2>/dev/null || true
    host_pid=
    log "a port was taken before the engine bound it; starting it again"
    continue
  fi
  tail -n 40 "$work/engine.log" >&2
  die "the engine was not ready within $READY_TIMEOUT s"
done
log "engine ready after $((SECONDS - phase_started)) s"

token=$(cd "$data" && env "${host_env_run[@]}" dotnet "$dll" token --role storefront --name load --lifetime 01:00:00 2>"$work/token.err") || {
  cat "$work/token.err" >&2
  die "the token command failed"
}
[ -n "$token" ] || die "the token command printed nothing"

# A few reads of each route and one order first, so that the figures are of a warm engine, not of its first JIT
# compilations (load/warmup.py).
GROCERY_TOKEN=$token PYTHONDONTWRITEBYTECODE=1 timeout 120 "$PYTHON" load/warmup.py "$base" ||
  log "warning: the warm-up met errors (above); measuring anyway"

# --- the load --------------------------------------------------------------------------------------------------------
log "Locust: $users users, $spawn_rate/s, $run_time (log: $work/locust.log)"
locust_status=0
# Whether the machine had room: its CPU busy over the run (from /proc/stat), and how much of it was the engine's (its
# /proc/PID/stat) and Locust's (bash's times); the rest is the servers of the production stack and anyone else's work.
cpu_sample() {
  local _cpu user nice system idle iowait irq softirq steal _rest
  read -r _cpu user nice system idle iowait irq softirq steal _rest </proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((idle + iowait))"
}
engine_ticks() { awk '{ print $14 + $15 }' "/proc/$host_pid/stat" 2>/dev/null || echo 0; }
read -r busy_before idle_before < <(cpu_sample)
ticks_before=$(engine_ticks)
times >"$work/times.before"
# From the temporary directory: python -m puts the working directory first on the module path. --foreground: Locust
# stays in the terminal's process group, so that Ctrl-C reaches it (it stops, and the engine is stopped after it).
(exec </dev/null >"$work/locust.log" 2>&1 && cd "$work" &&
  GROCERY_TOKEN=$token PYTHONDONTWRITEBYTECODE=1 exec timeout --foreground --kill-after=10 $((run_seconds + 90)) \
    "$PYTHON" -m locust -f "$root/load/locustfile.py" \
    --headless --host "$base" --users "$users" --spawn-rate "$spawn_rate" --run-time "$run_time" --stop-timeout 10 \
    --csv "$work/locust" --only-summary --loglevel WARNING) || locust_status=$?
times >"$work/times.after"
unset token
read -r busy_after idle_after < <(cpu_sample)
hz=$(getconf CLK_TCK)
engine_cpu=$(awk -v t="$(($(engine_ticks) - ticks_before))" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }')
machine_cpu=$(awk -v t="$((busy_after - busy_before))" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }')
# times: the shell's own CPU, then its children's (user, system, as 1m2.345s); Locust is the child waited for meanwhile.
children_cpu() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
locust_cpu=$(awk -v a="$(children_cpu "$work/times.after")" -v b="$(children_cpu "$work/times.before")" 'BEGIN { printf "%d", a - b }')
log "CPU over the load: the machine's $(nproc) cores $((100 * (busy_after - busy_before) / (busy_after - busy_before + idle_after - idle_before + 1))) % busy" \
  "($machine_cpu CPU s): engine $engine_cpu s, Locust $locust_cpu s, the rest (servers, other work)" \
  "$(awk -v m="$machine_cpu" -v e="$engine_cpu" -v l="$locust_cpu" 'BEGIN { printf "%.1f", m - e - l }') s"

engine_alive=true
kill -0 "$host_pid" 2>/dev/null || engine_alive=false
# Unexpected answers, as the locustfile logged them (a few per route and status, bodies cut short), and the engine's
# first errors (its log holds warnings and errors only).
grep -h 'unexpected answer' "$work/locust.log" | head -n 20 >&2 || true
if grep -qE '^(fail|crit): ' "$work/engine.log"; then
  log "the engine logged $(grep -cE '^(fail|crit): ' "$work/engine.log") errors; by category, then exception (count, first line):"
  grep -A 1 -E '^(fail|crit): ' "$work/engine.log" | grep -E '^(fail|crit): ' | sort | uniq -c | sort -rn | head -n 10 >&2 || true
  grep -E '^ +[A-Za-z0-9_.]+(Exception|Error)( \(0x[0-9A-F]+\))?: ' "$work/engine.log" | sed 's/^ *//' | cut -c1-300 |
    sort | uniq -c | sort -rn | head -n 10 >&2 || true
fi

[ -s "$work/locust_stats.csv" ] || {
  tail -n 40 "$work/locust.log" >&2
  die "Locust wrote no statistics (exit $locust_status)"
}
summary=$("$PYTHON" load/summary.py --stats "$work/locust_stats.csv" --failures "$work/locust_failures.csv" \
  --mode "$mode" --stack "$stack" --users "$users" --duration "$run_seconds" --engine-cpu "$engine_cpu" --machine-cpu "$machine_cpu" \
  --table) || die "load/summary.py failed"
printf '%s\n' "$summary"

failed=false
if ! $engine_alive; then
  tail -n 40 "$work/engine.log" >&2
  log "the engine died during the run"
  failed=true
fi
case $locust_status in
  0) ;;
  1) log "requests failed (see the failures above)"; failed=true ;;
  124 | 137) log "Locust did not finish within $((run_seconds + 90)) s"; failed=true ;;
  *) tail -n 40 "$work/locust.log" >&2; log "Locust exited with $locust_status"; failed=true ;;
esac
if grep -qE '^\[[^]]*\] [^ ]+/(ERROR|CRITICAL)' "$work/locust.log"; then
  grep -E '^\[[^]]*\] [^ ]+/(ERROR|CRITICAL)' "$work/locust.log" | head -n 10 >&2
  log "Locust reported errors in the locustfile"
  failed=true
fi
if $failed; then
  exit 1
fi
