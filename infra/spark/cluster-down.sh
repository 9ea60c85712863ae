#!/usr/bin/env bash
# Stops the cluster of cluster-up.sh by its PIDs: workers first, then the master. Each PID is checked
# to still be a Spark daemon of this cluster before it is signalled (SIGTERM, SIGKILL after 15 s).
set -euo pipefail
cd "$(dirname "$0")"
RUN=${SPARK_CLUSTER_DIR:-$PWD/run}
stopped=0
for pidfile in "$RUN"/worker-*.pid "$RUN"/master.pid; do
  [[ -f $pidfile ]] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.apache.spark.deploy'; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile"
done
echo "spark cluster stopped ($stopped daemons)"
