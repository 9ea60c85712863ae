#!/usr/bin/env bash
# Copies the jars pinned in infra/maven/pom.xml from Maven Central into infra/jars/spark/ (for spark.jars)
# and infra/jars/s3proxy/ (the local S3 server). Uses a project-local Maven repo (infra/.m2) so every
# clone resolves the same files whatever ~/.m2 holds. Idempotent: a stamp holding the pom's hash marks a
# complete fetch, so re-runs return at once and a pom change refetches.
set -euo pipefail

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$infra/maven/pom.xml"
jars="$infra/jars"
stamp="$jars/.complete"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-jars: '$tool' not found; install a JDK 17+ and Maven (Debian: apt-get install openjdk-17-jdk-headless maven)" >&2
    exit 127
  fi
done

want="$(sha256sum "$pom" | cut -d' ' -f1)"
is_complete() { [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }
is_complete && exit 0

# Parallel callers (test workers, make -j) wait for one download instead of racing on the same folders.
mkdir -p "$jars"
exec 9>"$infra/.fetch-jars.lock"
flock 9
is_complete && exit 0

echo "fetch-jars: resolving jars from Maven Central into $jars (~760 MB on the first run)" >&2
rm -rf "$jars/spark" "$jars/s3proxy"
log="$jars/.mvn.log"
if ! mvn -B -q -f "$pom" -Dmaven.repo.local="$infra/.m2" \
  dependency:copy-dependencies@spark dependency:copy-dependencies@s3proxy >"$log" 2>&1; then
  cat "$log" >&2
  echo "fetch-jars: mvn failed (log: $log)" >&2
  exit 1
fi

# The copies duplicate infra/.m2 (the AWS SDK bundle alone is 690 MB): hard-link them instead.
while IFS= read -r -d '' src; do
  for dst in "$jars"/*/"$(basename "$src")"; do
    if [[ -f "$dst" ]]; then ln -f "$src" "$dst"; fi
  done
done < <(find "$infra/.m2" -name '*.jar' -print0)

echo "$want" >"$stamp"
