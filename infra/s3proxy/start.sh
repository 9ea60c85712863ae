#!/usr/bin/env bash
# Starts S3Proxy (filesystem-nio2 backend, path-style, fixed credentials) on 127.0.0.1 in the background
# and returns once it answers HTTP. Objects live as plain files under DATA_DIR/blobs/<bucket>/<key>, so
# they survive restarts; DATA_DIR also holds s3proxy.properties, s3proxy.log and s3proxy.pid.
#
#   infra/s3proxy/start.sh [DATA_DIR]      (default: $S3_DATA_DIR or infra/.s3data)
#   env: S3_PORT (9000), S3_ACCESS_KEY (miryoku), S3_SECRET_KEY (miryoku-secret),
#        S3_START_TIMEOUT seconds (30), S3_JAVA_OPTS (-Xmx512m -XX:+UseSerialGC)
set -euo pipefail

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${1:-${S3_DATA_DIR:-$infra/.s3data}}"
port="${S3_PORT:-9000}"
access_key="${S3_ACCESS_KEY:-miryoku}"
secret_key="${S3_SECRET_KEY:-miryoku-secret}"
timeout="${S3_START_TIMEOUT:-30}"
endpoint="http://127.0.0.1:$port"

for tool in java curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "s3proxy: '$tool' not found; install it (Debian: apt-get install openjdk-17-jre-headless curl)" >&2; exit 127; }
done

"$infra/fetch-jars.sh"
jar="$(ls "$infra"/jars/s3proxy/s3proxy-*-jar-with-dependencies.jar)"

mkdir -p "$data_dir/blobs"
data_dir="$(cd "$data_dir" && pwd)"
pid_file="$data_dir/s3proxy.pid"
log_file="$data_dir/s3proxy.log"
props="$data_dir/s3proxy.properties"

if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "s3proxy: already running (pid $(cat "$pid_file")) for $data_dir" >&2
  exit 0
fi

if curl -s -o /dev/null "$endpoint/"; then
  echo "s3proxy: something already answers on $endpoint; choose another S3_PORT" >&2
  exit 1
fi

# No s3proxy.virtual-host: requests must be path-style (http://127.0.0.1:PORT/bucket/key).
# aws-v2-or-v4 accepts SigV4 from boto3, pyarrow and the SDK v2 that S3A uses, and SigV2 from old tools.
(umask 077; cat >"$props") <<PROPS
s3proxy.endpoint=$endpoint
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access_key
s3proxy.credential=$secret_key
jclouds.provider=filesystem-nio2
jclouds.identity=$access_key
jclouds.credential=$secret_key
jclouds.filesystem.basedir=$data_dir/blobs
PROPS

# A heap cap keeps a 2-core/24 GB box usable (the JVM default would be 6 GB); serial GC suits one small server.
# shellcheck disable=SC2086
nohup java ${S3_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC} -jar "$jar" --properties "$props" \
  </dev/null >"$log_file" 2>&1 &
pid=$!
echo "$pid" >"$pid_file"

# Any HTTP status (403 for an anonymous request) means Jetty is serving.
deadline=$((SECONDS + timeout))
until curl -s -o /dev/null "$endpoint/"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    echo "s3proxy: exited during start-up; last log lines:" >&2
    tail -n 20 "$log_file" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "s3proxy: no HTTP answer on $endpoint after ${timeout}s; stopping pid $pid (log: $log_file)" >&2
    "$infra/s3proxy/stop.sh" "$data_dir" || true
    exit 1
  fi
  sleep 0.1
done
echo "s3proxy: $endpoint pid $pid data $data_dir/blobs"
