#!/usr/bin/env bash
# Stops the S3Proxy started by start.sh for DATA_DIR (default: $S3_DATA_DIR or infra/.s3data), by the PID in
# DATA_DIR/s3proxy.pid. Checks that the PID still belongs to S3Proxy so a recycled PID is never signalled.
set -euo pipefail

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${1:-${S3_DATA_DIR:-$infra/.s3data}}"
pid_file="$data_dir/s3proxy.pid"

[[ -f "$pid_file" ]] || { echo "s3proxy: not running (no $pid_file)" >&2; exit 0; }
pid="$(cat "$pid_file")"
if ! kill -0 "$pid" 2>/dev/null || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 's3proxy'; then
  echo "s3proxy: pid $pid is not running S3Proxy; removing stale $pid_file" >&2
  rm -f "$pid_file"
  exit 0
fi

# Jetty drains open requests on SIGTERM; give it a few seconds before SIGKILL.
kill -TERM "$pid"
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "s3proxy: pid $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pid_file"
echo "s3proxy: stopped pid $pid"
