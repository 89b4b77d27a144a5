#!/usr/bin/env bash
# Embedded single-node Elasticsearch 8 for local development and tests (no Docker,
# no downloads except Maven Central). See tools/esnode/README.md.
#
#   scripts/esnode.sh build                 build the launcher into the cache (idempotent)
#   scripts/esnode.sh run [--port P] [--home DIR] [cluster options]
#                                           run a node in the foreground (Ctrl-C stops it);
#                                           cluster options (one node of a multi-node cluster):
#                                           --cluster-name NAME --node-name NAME
#                                           --transport-port P --seed-hosts H:P,H:P
#                                           --initial-master-nodes NAME,NAME
#   scripts/esnode.sh with -- CMD [ARGS...] start a throw-away node on a free port, run CMD
#                                           with DHR_ELASTICSEARCH_URL and DHR_TEST_ES=1 set,
#                                           stop the node, exit with CMD's status
#
# Environment: DHR_CACHE (default ~/.cache/dhr), JAVA_HOME or ESNODE_JAVA (Java >= 17),
# ESNODE_HEAP (default 1g), ESNODE_START_TIMEOUT (seconds, default 120), MVN (default mvn).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/tools/esnode"
ES_VERSION=$(sed -n 's:.*<es.version>\(.*\)</es.version>.*:\1:p' "$SRC/pom.xml" | head -n1)
CACHE_ROOT="${DHR_CACHE:-$HOME/.cache/dhr}"
BUILD_DIR="$CACHE_ROOT/esnode-$ES_VERSION"
HEAP="${ESNODE_HEAP:-1g}"
START_TIMEOUT="${ESNODE_START_TIMEOUT:-120}"

log() { echo "esnode: $*" >&2; }
die() { log "$*"; exit 1; }

java_bin() {
    if [[ -n "${ESNODE_JAVA:-}" ]]; then
        echo "$ESNODE_JAVA"
    elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        echo "$JAVA_HOME/bin/java"
    else
        command -v java || die "java not found (need Java 17 or newer; set JAVA_HOME)"
    fi
}

source_hash() {
    (cd "$SRC" && find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

cmd_build() {
    local want
    want=$(source_hash)
    if [[ -f "$BUILD_DIR/.stamp" && "$(cat "$BUILD_DIR/.stamp")" == "$want" ]]; then
        return 0
    fi
    mkdir -p "$CACHE_ROOT"
    # serialise concurrent builds (e.g. parallel test runs)
    exec 9>"$CACHE_ROOT/.esnode-build.lock"
    command -v flock >/dev/null && flock 9
    if [[ -f "$BUILD_DIR/.stamp" && "$(cat "$BUILD_DIR/.stamp")" == "$want" ]]; then
        exec 9>&-
        return 0
    fi
    log "building Elasticsearch $ES_VERSION launcher into $BUILD_DIR (first run downloads ~60 MB from Maven Central)"
    local work
    work=$(mktemp -d "$CACHE_ROOT/.esnode-build.XXXXXX")
    cp -R "$SRC/pom.xml" "$SRC/src" "$work/"
    local java_home_for_mvn
    java_home_for_mvn=$(dirname "$(dirname "$(readlink -f "$(java_bin)")")")
    local -a mvn
    read -r -a mvn <<<"${MVN:-mvn}"
    if ! (cd "$work" && JAVA_HOME="$java_home_for_mvn" "${mvn[@]}" -q -B -Dstyle.color=never -DskipTests package) \
        >"$work/build.log" 2>&1; then
        tail -n 60 "$work/build.log" >&2
        rm -rf "$work"
        die "maven build failed"
    fi
    mkdir -p "$work/out"
    mv "$work/target/esnode-"*.jar "$work/out/esnode.jar"
    mv "$work/target/lib" "$work/out/lib"
    echo "$want" >"$work/out/.stamp"
    rm -rf "$BUILD_DIR"
    mv "$work/out" "$BUILD_DIR"
    rm -rf "$work"
    exec 9>&-
    log "built $BUILD_DIR"
}

# java command line for a node whose home is $1 and HTTP port is $2 (0 = any free port);
# further arguments go to EsNodeMain (cluster options)
java_cmd() {
    local home=$1 port=$2
    shift 2
    JAVA_CMD=(
        "$(java_bin)"
        "-Xms256m" "-Xmx$HEAP" "-Xss1m" "-XX:+UseG1GC" "-XX:+ExitOnOutOfMemoryError"
        "-Dfile.encoding=UTF-8" "-Djava.io.tmpdir=$home/tmp" "-Djava.awt.headless=true"
        "-Djava.locale.providers=SPI,CLDR"
        "-Dio.netty.noUnsafe=true" "-Dio.netty.noKeySetOptimization=true"
        "-Dio.netty.recycler.maxCapacityPerThread=0"
        "-Dlog4j.shutdownHookEnabled=false" "-Dlog4j2.disable.jmx=true" "-Dlog4j2.formatMsgNoLookups=true"
        -cp "$BUILD_DIR/esnode.jar:$BUILD_DIR/lib/*"
        uk.dhr.esnode.EsNodeMain --home "$home" --port "$port" "$@"
    )
    mkdir -p "$home/tmp"
}

http_get() {
    if command -v curl >/dev/null; then
        curl -fsS --max-time 70 "$1"
    else
        python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=70).read().decode())' "$1"
    fi
}

cmd_run() {
    local port=9200 home="$CACHE_ROOT/esnode-home"
    local -a extra=()
    while [[ $# -gt 0 ]]; do
        [[ $# -ge 2 ]] || die "run: $1 needs a value"
        case "$1" in
            --port) port=$2; shift 2 ;;
            --home) home=$2; shift 2 ;;
            --cluster-name|--node-name|--transport-port|--seed-hosts|--initial-master-nodes)
                extra+=("$1" "$2"); shift 2 ;;
            *) die "run: unknown argument $1 (usage: esnode.sh run [--port P] [--home DIR] [--cluster-name N --node-name N --transport-port P --seed-hosts H:P,... --initial-master-nodes N,...])" ;;
        esac
    done
    cmd_build
    mkdir -p "$home"
    home=$(cd "$home" && pwd)
    java_cmd "$home" "$port" "${extra[@]}"
    log "starting Elasticsearch $ES_VERSION (home $home, log $home/logs/dhr-esnode.log)"
    exec "${JAVA_CMD[@]}"
}

ES_PID=""
ES_HOME=""
stop_node() {
    if [[ -n "$ES_PID" ]] && kill -0 "$ES_PID" 2>/dev/null; then
        kill -TERM "$ES_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 100); do
            kill -0 "$ES_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$ES_PID" 2>/dev/null || true
        wait "$ES_PID" 2>/dev/null || true
    fi
    ES_PID=""
    if [[ -n "$ES_HOME" ]]; then
        rm -rf "$ES_HOME"
        ES_HOME=""
    fi
}

show_log_tail() {
    log "node did not start; console output and log tail follow"
    [[ -f "$ES_HOME/console.log" ]] && tail -n 40 "$ES_HOME/console.log" >&2
    [[ -f "$ES_HOME/logs/dhr-esnode.log" ]] && tail -n 60 "$ES_HOME/logs/dhr-esnode.log" >&2
    return 0
}

cmd_with() {
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -gt 0 ]] || die "usage: esnode.sh with -- CMD [ARGS...]"
    cmd_build
    ES_HOME=$(mktemp -d "${TMPDIR:-/tmp}/dhr-esnode.XXXXXX")
    trap stop_node EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    java_cmd "$ES_HOME" 0
    local t0=$SECONDS
    "${JAVA_CMD[@]}" >"$ES_HOME/console.log" 2>&1 </dev/null &
    ES_PID=$!
    local waited=0
    while [[ ! -s "$ES_HOME/http.port" ]]; do
        if ! kill -0 "$ES_PID" 2>/dev/null; then
            show_log_tail
            die "Elasticsearch exited during start-up"
        fi
        if (( waited >= START_TIMEOUT * 5 )); then
            show_log_tail
            die "Elasticsearch did not start within ${START_TIMEOUT}s"
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    local port url
    port=$(tr -d '[:space:]' <"$ES_HOME/http.port")
    url="http://127.0.0.1:$port"
    if ! http_get "$url/_cluster/health?wait_for_status=yellow&timeout=60s" >/dev/null; then
        show_log_tail
        die "Elasticsearch at $url is not healthy"
    fi
    log "Elasticsearch $ES_VERSION ready at $url (started in $((SECONDS - t0))s)"
    local rc=0
    DHR_ELASTICSEARCH_URL="$url" DHR_TEST_ES=1 "$@" || rc=$?
    exit "$rc"
}

case "${1:-}" in
    build) shift; cmd_build "$@" ;;
    run) shift; cmd_run "$@" ;;
    with) shift; cmd_with "$@" ;;
    *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
