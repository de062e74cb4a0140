#!/usr/bin/env bash
# A single-node OpenSearch with the k-NN plugin on loopback, for tests and local development.
#
#   scripts/opensearch.sh fetch   download (Maven Central) and assemble the node, once
#   scripts/opensearch.sh start   start it in the background on 127.0.0.1:$PORT
#   scripts/opensearch.sh wait    block until the cluster is green (fails if the node died)
#   scripts/opensearch.sh stop    stop it and wait for the process to exit
#   scripts/opensearch.sh status  print the cluster health, exit 1 when it does not answer
#   scripts/opensearch.sh fetched exit 0 when `fetch` has assembled the node, else 1
#
# The node is the `integ-test-zip` distribution (no security plugin, HTTP only) plus the
# opensearch-knn plugin zip of the matching version. k-NN extends the Painless scripting
# module, which the integ-test distribution does not carry and Maven Central publishes only
# as jars, so `fetch` assembles the lang-painless module (and analysis-common, for the
# `english` analyzer) from those jars and their declared dependencies. The Maven plugin zip
# has no native k-NN libraries; Tandem's index uses the pure-Java Lucene engine.
#
# OpenSearch refuses to run as root. Under root (CI), the node runs in a user namespace in
# which it is uid 1000: it still reads and writes files as root outside, so no account or
# chown is needed.
#
# Environment (all optional):
#   TANDEM_CACHE                    cache root (default ~/.cache/tandem); node under .../opensearch
#   TANDEM_OPENSEARCH_VERSION       OpenSearch version (default 2.19.1; 2.19.x runs on Java 17)
#   TANDEM_OPENSEARCH_KNN_VERSION   k-NN plugin version (default VERSION.0)
#   TANDEM_OPENSEARCH_PORT          HTTP port (default 9200); transport uses PORT+100
#   TANDEM_OPENSEARCH_RUN_DIR       data, logs and pid file (default CACHE/opensearch/run)
#   TANDEM_OPENSEARCH_WAIT_SECONDS  how long `wait` waits for green (default 180)
#   OPENSEARCH_JAVA_HOME            the JDK to run on (default: the one `java` on PATH belongs to)
set -euo pipefail

VERSION="${TANDEM_OPENSEARCH_VERSION:-2.19.1}"
KNN_VERSION="${TANDEM_OPENSEARCH_KNN_VERSION:-${VERSION}.0}"
CACHE="${TANDEM_CACHE:-$HOME/.cache/tandem}/opensearch"
ARTIFACTS="$CACHE/artifacts"
NODE_HOME="$CACHE/opensearch-$VERSION-knn-$KNN_VERSION"
RUN_DIR="${TANDEM_OPENSEARCH_RUN_DIR:-$CACHE/run}"
PORT="${TANDEM_OPENSEARCH_PORT:-9200}"
WAIT_SECONDS="${TANDEM_OPENSEARCH_WAIT_SECONDS:-180}"
URL="http://127.0.0.1:$PORT"

log() { echo "opensearch: $*" >&2; }
die() { log "$*"; exit 1; }

# Copy one Maven artefact (group:artifact:version[:type]) into $ARTIFACTS unless it is there.
maven_copy() {
  local coordinates="$1" file="$2"
  if [ ! -s "$ARTIFACTS/$file" ]; then
    log "fetching $coordinates"
    mvn -q -B dependency:copy -Dartifact="$coordinates" -DoutputDirectory="$ARTIFACTS" \
      || die "could not fetch $coordinates from Maven Central"
  fi
}

# Build a module folder from a plugin jar, its declared (direct) dependencies and a descriptor.
assemble_module() {
  local name="$1" classname="$2" extends="$3" target="$NODE_HOME.tmp/modules/$1"
  maven_copy "org.opensearch.plugin:$name:$VERSION:pom" "$name-$VERSION.pom"
  maven_copy "org.opensearch.plugin:$name:$VERSION" "$name-$VERSION.jar"
  mkdir -p "$target"
  cp "$ARTIFACTS/$name-$VERSION.jar" "$target/"
  (cd "$ARTIFACTS" && mvn -q -B -f "$name-$VERSION.pom" dependency:copy-dependencies \
    -DexcludeTransitive=true -DincludeScope=runtime -DoutputDirectory="$target") \
    || die "could not fetch the dependencies of $name $VERSION"
  cat >"$target/plugin-descriptor.properties" <<EOF
description=$name module, assembled from Maven Central jars
version=$VERSION
name=$name
classname=$classname
java.version=11
opensearch.version=$VERSION
extended.plugins=$extends
has.native.controller=false
EOF
}

java_home() {
  if [ -n "${OPENSEARCH_JAVA_HOME:-}" ]; then
    echo "$OPENSEARCH_JAVA_HOME"
    return
  fi
  local java
  java="$(command -v java)" || die "no java on PATH (install a JDK 17, or set OPENSEARCH_JAVA_HOME)"
  dirname "$(dirname "$(readlink -f "$java")")"
}

fetch() {
  if [ -f "$NODE_HOME/.assembled" ]; then
    log "OpenSearch $VERSION with k-NN $KNN_VERSION is ready in $NODE_HOME"
    return
  fi
  command -v mvn >/dev/null || die "mvn is not installed (apt-get install -y maven)"
  command -v unzip >/dev/null || die "unzip is not installed (apt-get install -y unzip)"
  mkdir -p "$ARTIFACTS"
  maven_copy "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip" \
    "opensearch-$VERSION.zip"
  maven_copy "org.opensearch.plugin:opensearch-knn:$KNN_VERSION:zip" \
    "opensearch-knn-$KNN_VERSION.zip"
  rm -rf "$NODE_HOME.tmp" "$NODE_HOME.unzip"
  mkdir -p "$NODE_HOME.unzip"
  unzip -q "$ARTIFACTS/opensearch-$VERSION.zip" -d "$NODE_HOME.unzip"
  mv "$NODE_HOME.unzip/opensearch-$VERSION" "$NODE_HOME.tmp"
  rmdir "$NODE_HOME.unzip"
  assemble_module lang-painless org.opensearch.painless.PainlessPlugin ""
  cat >"$NODE_HOME.tmp/modules/lang-painless/plugin-security.policy" <<'EOF'
grant {
  // Painless compiles scripts into classes at run time.
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
  assemble_module analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless
  OPENSEARCH_JAVA_HOME="$(java_home)" "$NODE_HOME.tmp/bin/opensearch-plugin" install --batch \
    "file://$ARTIFACTS/opensearch-knn-$KNN_VERSION.zip" >"$CACHE/plugin-install.log" 2>&1 \
    || die "installing the k-NN plugin failed: $(tail -n 20 "$CACHE/plugin-install.log")"
  touch "$NODE_HOME.tmp/.assembled"
  rm -rf "$NODE_HOME"
  mv "$NODE_HOME.tmp" "$NODE_HOME"
  log "OpenSearch $VERSION with k-NN $KNN_VERSION assembled in $NODE_HOME"
}

pid_of_node() {
  local pid
  [ -s "$RUN_DIR/opensearch.pid" ] || return 1
  pid="$(cat "$RUN_DIR/opensearch.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

healthy() {
  curl -fsS --max-time 3 "$URL/_cluster/health?wait_for_status=green&timeout=2s" 2>/dev/null \
    | grep -q '"status":"green"'
}

start() {
  [ -f "$NODE_HOME/.assembled" ] || die "not fetched yet: run scripts/opensearch.sh fetch"
  if pid_of_node >/dev/null; then
    log "already running (pid $(pid_of_node)) with data in $RUN_DIR"
    return
  fi
  mkdir -p "$RUN_DIR/data" "$RUN_DIR/logs"
  rm -f "$RUN_DIR/opensearch.pid"
  local launcher=()
  if [ "$(id -u)" = 0 ]; then
    command -v unshare >/dev/null || die "running as root needs unshare (util-linux)"
    launcher=(unshare --user --map-user=1000 --map-group=1000)
  fi
  log "starting on $URL (data and logs in $RUN_DIR)"
  # In the foreground bin/opensearch execs java (and unshare execs it), so $! is the node.
  OPENSEARCH_JAVA_HOME="$(java_home)" \
    OPENSEARCH_JAVA_OPTS="-Xms256m -Xmx512m ${TANDEM_OPENSEARCH_JAVA_OPTS:-}" \
    nohup "${launcher[@]}" "$NODE_HOME/bin/opensearch" \
    -Ecluster.name=tandem-local \
    -Enode.name=tandem-local \
    -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 \
    -Ehttp.port="$PORT" \
    -Etransport.port="$((PORT + 100))" \
    -Epath.data="$RUN_DIR/data" \
    -Epath.logs="$RUN_DIR/logs" \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    </dev/null >"$RUN_DIR/stdout.log" 2>&1 &
  echo $! >"$RUN_DIR/opensearch.pid"
}

wait_green() {
  local started=$SECONDS
  while ((SECONDS - started < WAIT_SECONDS)); do
    if healthy; then
      log "green on $URL after $((SECONDS - started)) s of waiting"
      return
    fi
    if ! pid_of_node >/dev/null; then
      die "the node is not running: $(tail -n 30 "$RUN_DIR/stdout.log" 2>/dev/null)"
    fi
    sleep 0.5
  done
  die "not green on $URL after $WAIT_SECONDS s; log in $RUN_DIR/logs"
}

stop() {
  local pid
  if ! pid="$(pid_of_node)"; then
    log "not running"
    return
  fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || {
      log "stopped"
      return
    }
    sleep 0.5
  done
  log "still running after 30 s; killing pid $pid"
  kill -9 "$pid" 2>/dev/null || true
}

status() {
  curl -fsS --max-time 3 "$URL/_cluster/health" && echo
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  wait) wait_green ;;
  stop) stop ;;
  status) status ;;
  fetched) [ -f "$NODE_HOME/.assembled" ] ;;
  *) die "usage: $0 fetch|start|wait|stop|status|fetched" ;;
esac
