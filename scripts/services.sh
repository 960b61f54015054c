#!/usr/bin/env bash
# Makes PostgreSQL, Redis and RabbitMQ available on 127.0.0.1 for the tests: installs from Debian's
# packages and starts whichever of them is missing or down, leaves alone whatever already answers,
# then prints the connection strings as shell `export` lines.
#
# Usage: bash scripts/services.sh [--only postgres,redis,rabbitmq]
#   exports=$(bash scripts/services.sh --only postgres,redis)   # a failure stops a `set -e` caller here,
#   eval "$exports"                                             # which `eval "$(...)"` alone would hide
#
# stdout carries nothing but the export lines; progress and errors go to stderr.
# Made for Debian 12 without systemd (CI: root, no stdin), so services run as plain background
# processes. Running it again is cheap and starts nothing twice. It never stops or kills anything.
set -euo pipefail

HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
AMQP_PORT=5672
RABBIT_NODE=rabbit@localhost
PG_URL="postgresql://postgres:postgres@$HOST:$PG_PORT/grocery"
LOG_DIR=/tmp/grocery-services
# RabbitMQ's first boot sets up its database and takes the longest (6-25 s seen, more on a busy machine).
PG_TIMEOUT=60
REDIS_TIMEOUT=30
RABBIT_TIMEOUT=120

# rabbitmq-server, runuser and pg_ctlcluster's helpers live in sbin, which a CI environment may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
script=$(realpath "${BASH_SOURCE[0]}")
# The servers' own users (postgres, rabbitmq) may not be able to enter the caller's directory.
cd /

log() { printf 'services: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$script" >&2
}

# --- options -----------------------------------------------------------------------------------------
want_postgres=false want_redis=false want_rabbitmq=false
only=postgres,redis,rabbitmq
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || die "--only needs a comma-separated list"; only=$2; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
done
IFS=, read -r -a requested <<<"$only"
[ ${#requested[@]} -gt 0 ] || die "--only lists no service"
for service in "${requested[@]}"; do
  case $service in
    postgres) want_postgres=true ;;
    redis) want_redis=true ;;
    rabbitmq) want_rabbitmq=true ;;
    *) die "unknown service '$service' in --only (known: postgres, redis, rabbitmq)" ;;
  esac
done

mkdir -p "$LOG_DIR"
started_at=$SECONDS

# Installing and starting servers needs root; a developer who is not root gets sudo, and only when
# something actually has to be done, so a run against services that are already up needs neither.
sudo=()
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
      die "installing or starting a service needs root: run as root or with passwordless sudo"
    fi
    sudo=(sudo -n)
  fi
}
as_root() {
  require_root
  "${sudo[@]}" "$@"
}

# Starts a long-lived server (or something that may fork one) with stdin from /dev/null, output to
# a log, and no other descriptor: one inherited from us or our caller (the caller's `$(...)`, a CI
# runner's log pipe) would stay open for as long as the server runs and keep its reader waiting.
# With --background it returns at once and leaves the process id in spawned_pid.
spawned_pid=
spawn() {
  local background=false log
  if [ "$1" = --background ]; then
    background=true
    shift
  fi
  log=$1
  shift
  require_root
  if $background; then
    spawn_exec "$@" </dev/null >>"$log" 2>&1 &
    spawned_pid=$!
  else
    (spawn_exec "$@") </dev/null >>"$log" 2>&1
  fi
}
# Only ever run in a subshell: it replaces the process.
spawn_exec() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi
  done
  exec "${sudo[@]}" "$@"
}

# --- probes: cheap, so that a second run is fast ----------------------------------------------------
postgres_ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PG_PORT" -t 2
}

redis_ready() {
  command -v redis-cli >/dev/null &&
    [ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

# RabbitMQ opens its AMQP listener only at the end of its boot, so an open port means a usable broker;
# asking rabbitmqctl instead would cost a second or two of Erlang start-up on every run.
rabbitmq_ready() {
  (exec 3<>"/dev/tcp/$HOST/$AMQP_PORT") 2>/dev/null
}

# A node that is still booting (or hung) has registered with epmd but has no AMQP listener yet;
# starting another one then would only fail on the taken node name, so wait for that one instead.
rabbitmq_registered() {
  command -v epmd >/dev/null && epmd -names 2>/dev/null | grep -q '^name rabbit at'
}

# --- install what is missing, in one apt-get run ----------------------------------------------------
policy_rc_created=false
cleanup() {
  if $policy_rc_created; then
    as_root rm -f /usr/sbin/policy-rc.d
  fi
}
trap cleanup EXIT

apt_install() {
  local apt_log="$LOG_DIR/apt.log"
  log "installing $* (log: $apt_log)"
  # A third-party source that cannot be reached makes apt-get update fail while Debian's lists are
  # fine; the install below is the real test of whether the packages can be had.
  if ! as_root apt-get update </dev/null >>"$apt_log" 2>&1; then
    log "warning: apt-get update reported errors; trying the install anyway"
  fi
  # Each package's maintainer script would start its service through invoke-rc.d with the packaged
  # settings (RabbitMQ as rabbit@<hostname> on every interface); policy-rc.d answering 101 keeps them
  # down, so that this script starts exactly one instance of each, bound to loopback.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    policy_rc_created=true
  fi
  if ! spawn "$apt_log" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "$@"; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install $* failed (log: $apt_log)"
  fi
  cleanup
  policy_rc_created=false
}

need_postgres=false need_redis=false need_rabbitmq=false
if $want_postgres && ! postgres_ready; then need_postgres=true; fi
if $want_redis && ! redis_ready; then need_redis=true; fi
if $want_rabbitmq && ! rabbitmq_ready; then need_rabbitmq=true; fi

packages=()
if $need_postgres && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  packages+=(postgresql)
fi
if $need_redis && ! { command -v redis-server && command -v redis-cli; } >/dev/null; then
  packages+=(redis-server)
fi
if $need_rabbitmq && ! command -v rabbitmq-server >/dev/null; then
  packages+=(rabbitmq-server)
fi
if [ ${#packages[@]} -gt 0 ]; then
  apt_install "${packages[@]}"
  # The probes may have lacked their client until now (pg_isready, redis-cli): ask again.
  if $need_postgres && postgres_ready; then need_postgres=false; fi
  if $need_redis && redis_ready; then need_redis=false; fi
fi

# --- start -------------------------------------------------------------------------------------------

rabbit_env=(
  RABBITMQ_NODENAME="$RABBIT_NODE"
  RABBITMQ_NODE_IP_ADDRESS="$HOST"
  RABBITMQ_NODE_PORT="$AMQP_PORT"
  # Keep the Erlang distribution (epmd and the node's inter-node port) off the network as well.
  ERL_EPMD_ADDRESS="$HOST"
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
)
rabbit_pid=
start_rabbitmq() {
  if rabbitmq_registered; then
    log "rabbitmq: a node is already registered with epmd; waiting for it instead of starting another"
    return
  fi
  log "rabbitmq: starting $RABBIT_NODE on $HOST:$AMQP_PORT (logs: $LOG_DIR/rabbitmq.log, /var/log/rabbitmq/)"
  # setsid: the node must outlive this script and not share the caller's terminal signals.
  spawn --background "$LOG_DIR/rabbitmq.log" setsid env "${rabbit_env[@]}" rabbitmq-server
  rabbit_pid=$spawned_pid
}

pg_cluster=
start_postgres() {
  local version name status conf_dir drop_in wanted
  read -r version name status < <(pg_lsclusters --no-header | awk -v port="$PG_PORT" '$3 == port { print $1, $2, $4; exit }') || true
  if [ -z "${version:-}" ]; then
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
    name=main status=down
    log "postgres: no cluster on port $PG_PORT; creating $version/$name"
    spawn "$LOG_DIR/postgres.log" pg_createcluster --port "$PG_PORT" "$version" "$name" ||
      die "pg_createcluster $version $name failed (log: $LOG_DIR/postgres.log)"
  fi
  pg_cluster="$version $name"

  # A drop-in rather than an edit of postgresql.conf: Debian's config includes conf.d, and the
  # packaged file stays untouched for upgrades.
  conf_dir=/etc/postgresql/$version/$name/conf.d
  drop_in=$conf_dir/grocery-services.conf
  wanted=$(printf '%s\n' "# Written by Grocery.Workflows scripts/services.sh: the tests reach the server on loopback only." \
    "listen_addresses = '$HOST'" "port = $PG_PORT")
  if [ "$(cat "$drop_in" 2>/dev/null)" != "$wanted" ]; then
    as_root mkdir -p "$conf_dir"
    printf '%s\n' "$wanted" | as_root tee "$drop_in" >/dev/null
  fi

  if [[ $status == online* ]]; then
    # Running, yet not answering on $HOST:$PG_PORT: only a restart applies listen_addresses.
    log "postgres: cluster $pg_cluster runs but does not answer on $HOST:$PG_PORT; restarting it"
    spawn "$LOG_DIR/postgres.log" pg_ctlcluster "$version" "$name" restart ||
      die "pg_ctlcluster $pg_cluster restart failed (logs: $LOG_DIR/postgres.log, /var/log/postgresql/)"
  else
    log "postgres: starting cluster $pg_cluster on $HOST:$PG_PORT"
    spawn "$LOG_DIR/postgres.log" pg_ctlcluster "$version" "$name" start ||
      die "pg_ctlcluster $pg_cluster start failed (logs: $LOG_DIR/postgres.log, /var/log/postgresql/)"
  fi
}

start_redis() {
  log "redis: starting on $HOST:$REDIS_PORT (log: $LOG_DIR/redis.log)"
  # No persistence: the tests own their data, and a dump file would only leak state between runs.
  spawn "$LOG_DIR/redis-start.log" redis-server --bind "$HOST" --port "$REDIS_PORT" --save '' \
    --appendonly no --daemonize yes --dir "$LOG_DIR" --logfile "$LOG_DIR/redis.log" \
    --pidfile "$LOG_DIR/redis.pid" ||
    die "redis-server did not start (logs: $LOG_DIR/redis-start.log, $LOG_DIR/redis.log)"
}

# RabbitMQ first: it takes longest, and boots while the others start.
if $need_rabbitmq; then start_rabbitmq; fi
if $need_postgres; then start_postgres; fi
if $need_redis; then start_redis; fi

# --- wait --------------------------------------------------------------------------------------------
wait_for() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    sleep 1
  done
  log "$what: ready after $((SECONDS - started_at)) s"
}

show_tail() {
  local file
  for file in "$@"; do
    if [ -s "$file" ]; then
      log "last lines of $file:"
      tail -n 15 "$file" >&2
    fi
  done
}

if $need_postgres; then
  wait_for postgres "$PG_TIMEOUT" postgres_ready || {
    show_tail "$LOG_DIR/postgres.log" /var/log/postgresql/postgresql-"${pg_cluster/ /-}".log
    die "postgres did not answer on $HOST:$PG_PORT within $PG_TIMEOUT s"
  }
fi

# Not behind need_postgres: a server that was already running may still lack the password or the
# database; a login with the exported credentials tells, and costs a few milliseconds.
postgres_login() {
  PGCONNECT_TIMEOUT=5 psql -w -X -q -tA "$PG_URL" -c 'select 1' >/dev/null 2>&1
}
as_postgres_psql() {
  as_root runuser -u postgres -- psql -X -q -tA -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@" </dev/null
}
if $want_postgres && ! postgres_login; then
  log "postgres: setting the postgres user's password and creating database grocery"
  as_postgres_psql -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null ||
    die "could not set the postgres user's password"
  if [ "$(as_postgres_psql -c "SELECT 1 FROM pg_database WHERE datname = 'grocery'")" != 1 ]; then
    as_postgres_psql -c 'CREATE DATABASE grocery OWNER postgres' >/dev/null ||
      die "could not create database grocery"
  fi
  postgres_login || die "cannot log in with $PG_URL even after setting it up"
fi

if $need_redis; then
  wait_for redis "$REDIS_TIMEOUT" redis_ready || {
    show_tail "$LOG_DIR/redis-start.log" "$LOG_DIR/redis.log"
    die "redis did not answer PONG on $HOST:$REDIS_PORT within $REDIS_TIMEOUT s"
  }
fi

# rabbitmqctl await_startup fails at once while the node has not registered yet, and otherwise
# blocks until the boot is complete; so it is retried, each try bounded by the time left.
rabbitmq_booted() {
  local left=$((rabbit_deadline - SECONDS))
  if [ -n "$rabbit_pid" ] && ! kill -0 "$rabbit_pid" 2>/dev/null; then
    show_tail "$LOG_DIR/rabbitmq.log" /var/log/rabbitmq/startup_log /var/log/rabbitmq/startup_err \
      "/var/log/rabbitmq/$RABBIT_NODE.log"
    die "rabbitmq-server exited during start-up"
  fi
  # spawn: the CLI starts epmd when none runs.
  [ "$left" -gt 0 ] &&
    spawn "$LOG_DIR/rabbitmqctl.log" env "${rabbit_env[@]}" timeout "$left" \
      rabbitmqctl -n "$RABBIT_NODE" await_startup &&
    rabbitmq_ready
}
if $need_rabbitmq; then
  rabbit_deadline=$((SECONDS + RABBIT_TIMEOUT))
  wait_for rabbitmq "$RABBIT_TIMEOUT" rabbitmq_booted || {
    show_tail "$LOG_DIR/rabbitmq.log" /var/log/rabbitmq/startup_err "/var/log/rabbitmq/$RABBIT_NODE.log"
    die "rabbitmq did not accept connections on $HOST:$AMQP_PORT within $RABBIT_TIMEOUT s"
  }
fi

if $need_postgres || $need_redis || $need_rabbitmq; then
  log "ready in $((SECONDS - started_at)) s: ${requested[*]}"
else
  log "already running: ${requested[*]}"
fi

# --- the only stdout ---------------------------------------------------------------------------------
# Named GROCERY_* rather than ConnectionStrings__*: exported into a shell, the latter would silently override
# the configuration of every engine started from it (the embedded default included). To run the engine on
# these services: Persistence__Provider=PostgreSql ConnectionStrings__Workflows="$GROCERY_POSTGRES" ...
if $want_postgres; then
  printf "export GROCERY_POSTGRES='%s'\n" "Host=$HOST;Port=$PG_PORT;Database=grocery;Username=postgres;Password=postgres"
fi
if $want_redis; then
  printf "export GROCERY_REDIS='%s'\n" "$HOST:$REDIS_PORT"
fi
if $want_rabbitmq; then
  printf "export GROCERY_RABBITMQ='%s'\n" "amqp://guest:guest@$HOST:$AMQP_PORT/"
fi
