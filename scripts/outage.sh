#!/usr/bin/env bash
# Takes one of the test servers down, or brings it back: the tests use it to prove the engine rides out
# a restart of PostgreSQL, RabbitMQ or Redis. Meant for the servers scripts/services.sh started.
#
# Usage: bash scripts/outage.sh stop|start postgres|rabbitmq|redis
#   stop postgres   pg_ctlcluster stop -m fast (clients are disconnected)
#   stop rabbitmq   rabbitmqctl stop_app (connections close; durable and quorum queues keep their messages)
#   stop redis      SHUTDOWN NOSAVE (its data is gone, as after a crash of a cache without persistence)
#   start ...       brings it back and waits until it answers
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export RABBITMQ_NODENAME=rabbit@localhost
here=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
cd /

[ $# -eq 2 ] || { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$here/outage.sh" >&2; exit 2; }
action=$1 service=$2

cluster() { pg_lsclusters --no-header | awk '$3 == 5432 { print $1, $2; exit }'; }

case "$action $service" in
  "stop postgres")
    read -r version name < <(cluster)
    pg_ctlcluster "$version" "$name" stop -m fast ;;
  "start postgres")
    read -r version name < <(cluster)
    pg_ctlcluster "$version" "$name" start
    for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p 5432 -t 1 && exit 0; sleep 0.5; done
    echo "outage: postgres did not come back" >&2; exit 1 ;;
  "stop rabbitmq") rabbitmqctl -q stop_app ;;
  "start rabbitmq")
    rabbitmqctl -q start_app
    rabbitmqctl -q await_startup ;;
  "stop redis") redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true ;;
  "start redis") bash "$here/services.sh" --only redis >/dev/null ;;
  *) echo "outage: unknown '$action $service' (stop|start postgres|rabbitmq|redis)" >&2; exit 2 ;;
esac
