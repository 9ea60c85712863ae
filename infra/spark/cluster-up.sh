#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 from pyspark's own spark-class: one master and two
# workers, started in the background, recorded by PID, logs under infra/spark/run/.
#   master  spark://127.0.0.1:7077   web UI http://127.0.0.1:8090 (Airflow keeps 8080)
#   workers 1 core and SPARK_WORKER_MEMORY (1536m) each, web UIs on 8091/8092
# The workers run with a bare venv first on PATH and as PYSPARK_PYTHON (no project packages): a job
# that does not ship its environment (make spark-env) fails on them instead of borrowing this venv.
#   infra/spark/cluster-up.sh           # `make cluster-up`; infra/spark/cluster-down.sh stops it
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
RUN=${SPARK_CLUSTER_DIR:-$HERE/run}
BIN=${VENV_BIN:-$HERE/../../.venv/bin}
MASTER_PORT=${SPARK_MASTER_PORT:-7077}
MASTER_UI=${SPARK_MASTER_UI_PORT:-8090}
WORKERS=${SPARK_WORKERS:-2}
WORKER_MEMORY=${SPARK_WORKER_MEMORY:-1536m}
TIMEOUT=${SPARK_START_TIMEOUT:-60}

[[ -x $BIN/python ]] || { echo "error: $BIN/python not found: run \`make venv\`" >&2; exit 1; }
command -v java >/dev/null || { echo "error: java not found: install a JDK 17+" >&2; exit 1; }
SPARK_HOME=$("$BIN/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
BASE_PYTHON=$("$BIN/python" -c 'import sys; print(f"{sys.base_prefix}/bin/python3.11")')
export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1 SPARK_PUBLIC_DNS=127.0.0.1
export SPARK_DAEMON_MEMORY=${SPARK_DAEMON_MEMORY:-256m} SPARK_LOG_DIR=$RUN/logs SPARK_CONF_DIR=$RUN/conf
mkdir -p "$RUN/logs" "$RUN/conf"

running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
if running "$RUN/master.pid"; then echo "spark cluster already running (master PID $(cat "$RUN/master.pid"))"; exit 0; fi
if (exec 3<>/dev/tcp/127.0.0.1/"$MASTER_PORT") 2>/dev/null; then
  echo "error: 127.0.0.1:$MASTER_PORT already answers: another Spark master? (infra/spark/cluster-down.sh)" >&2; exit 1
fi

# The workers' interpreter: a venv with nothing installed in it.
if [[ ! -x $RUN/bare-venv/bin/python ]]; then "$BASE_PYTHON" -m venv --without-pip "$RUN/bare-venv"; fi
cat > "$RUN/conf/spark-defaults.conf" <<CONF
spark.ui.enabled false
spark.master.rest.enabled false
CONF

start() {  # start NAME CLASS ARGS...: spark-class execs java, so $! is the JVM's PID
  local name=$1; shift
  nohup "$SPARK_HOME/bin/spark-class" "$@" >"$RUN/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

SPARK_MASTER_OPTS="-Dspark.ui.enabled=true" start master org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI"
for i in $(seq 1 "$WORKERS"); do
  mkdir -p "$RUN/worker-$i"
  PATH=$RUN/bare-venv/bin:$PATH PYSPARK_PYTHON=$RUN/bare-venv/bin/python \
    start "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
    --memory "$WORKER_MEMORY" --webui-port $((MASTER_UI + i)) --work-dir "$RUN/worker-$i" \
    "spark://127.0.0.1:$MASTER_PORT"
done

# Ready when the master's UI lists every worker as ALIVE.
for _ in $(seq 1 "$TIMEOUT"); do
  alive=$("$BIN/python" - "$MASTER_UI" <<'PY' 2>/dev/null || echo 0
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/json/", timeout=2))
print(sum(w["state"] == "ALIVE" for w in state["workers"]))
PY
)
  if [[ $alive -ge $WORKERS ]]; then
    echo "spark://127.0.0.1:$MASTER_PORT up: $alive workers, UI http://127.0.0.1:$MASTER_UI, logs $RUN/logs"
    exit 0
  fi
  sleep 1
done
echo "error: the cluster did not come up in ${TIMEOUT}s: see $RUN/logs/" >&2
"$HERE/cluster-down.sh" >&2 || true
exit 1
