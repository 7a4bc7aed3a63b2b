#!/bin/sh
# A throwaway Redis Cluster on 127.0.0.1 for tests: 3 masters + 3 replicas.
#   test/redis-cluster.sh start BASE_PORT DIR   nodes on BASE_PORT..BASE_PORT+5 (bus ports +10000)
#   test/redis-cluster.sh stop DIR              kills the nodes started in DIR and removes DIR
# No persistence; a node that dies is failed over by its replica after ~1 s (cluster-node-timeout).
set -eu
cmd=${1:-}
case "$cmd" in
start)
  base=$2
  dir=$3
  mkdir -p "$dir"
  nodes=""
  for i in 0 1 2 3 4 5; do
    port=$((base + i))
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/nodes-$port.conf" --cluster-node-timeout 1000 \
      --cluster-require-full-coverage no --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/$port.pid" --logfile "$dir/$port.log" --dir "$dir"
    nodes="$nodes 127.0.0.1:$port"
  done
  for i in 0 1 2 3 4 5; do
    port=$((base + i))
    n=0
    until redis-cli -p "$port" ping >/dev/null 2>&1; do
      n=$((n + 1)); [ "$n" -gt 100 ] && { echo "node $port did not start" >&2; exit 1; }
      sleep 0.05
    done
  done
  # shellcheck disable=SC2086
  redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; exit 1; }
  # Ready when every node agrees the cluster is ok and all slots are covered.
  for i in 0 1 2 3 4 5; do
    port=$((base + i))
    n=0
    until redis-cli -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' &&
          redis-cli -p "$port" cluster info 2>/dev/null | grep -q 'cluster_slots_ok:16384'; do
      n=$((n + 1)); [ "$n" -gt 200 ] && { echo "cluster not ok on $port" >&2; exit 1; }
      sleep 0.05
    done
  done
  echo "$nodes" | sed 's/^ //; s/ /,/g'
  ;;
stop)
  dir=$2
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start BASE_PORT DIR | stop DIR" >&2
  exit 2
  ;;
esac
