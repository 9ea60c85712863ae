#!/usr/bin/env bash
# Packs the Python environment Spark executors run: this project's wheel (miryoku + jobs) and the
# `executor` extra of pyproject.toml (mecab-python3, unidic-lite, pyarrow) at requirements.lock's
# versions — no Airflow, Great Expectations or DuckDB. Jobs ship it as
#   spark.archives=<archive>#env   spark.pyspark.python=./env/bin/python
# (miryoku.spark and miryoku.spark_submit add both). pyspark itself is not packed: executors get it
# from their Spark installation's python/lib/pyspark.zip, which must be the same Spark version.
#
# The venv is relocatable (uv venv --relocatable); its bin/python is a symlink to the interpreter it
# was made from (printed below), which the executors' hosts must have at the same path — build the
# archive on an image like the cluster's (docs/cluster.md).
#
#   infra/spark/build-env.sh [OUT]      # default build/spark-env.tar.gz; `make spark-env` calls it
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${VENV_BIN:-.venv/bin}
OUT=${1:-build/spark-env.tar.gz}
WORK=build/spark-env
PYTHON=${SPARK_ENV_PYTHON:-$("$BIN/python" -c 'import sys; print(f"{sys.base_prefix}/bin/python3.11")')}

for tool in "$BIN/python" "$BIN/uv" "$PYTHON"; do
  [[ -x $tool ]] || { echo "error: $tool not found: run \`make venv\` (or set SPARK_ENV_PYTHON)" >&2; exit 1; }
done
command -v tar >/dev/null || { echo "error: tar not found: apt-get install tar" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK/dist" "$(dirname "$OUT")"
"$BIN/uv" build -q --wheel --out-dir "$WORK/dist" .
"$BIN/uv" venv -q --relocatable --python "$PYTHON" "$WORK/env"
mapfile -t executor_reqs < <("$BIN/python" -c 'import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["executor"]))')
export VIRTUAL_ENV=$PWD/$WORK/env
"$BIN/uv" pip install -q --link-mode copy --compile-bytecode --constraint requirements.lock "${executor_reqs[@]}"
"$BIN/uv" pip install -q --link-mode copy --compile-bytecode --no-deps "$WORK"/dist/*.whl
unset VIRTUAL_ENV

# The executors' imports and the MeCab dictionary, checked with the packed interpreter itself.
"$WORK/env/bin/python" - <<'PY'
import jobs, miryoku.text.tokenizer as tok, pyarrow  # noqa: F401
from importlib.util import find_spec
assert find_spec("airflow") is None and find_spec("great_expectations") is None, "executor env is not lean"
assert tok.tagger().parse("青森のりんご")
PY

tar -C "$WORK/env" -czf "$OUT.tmp" . && mv "$OUT.tmp" "$OUT"
rm -rf "$WORK"
echo "$OUT: $(du -h "$OUT" | cut -f1) (executor python: $PYTHON)"
