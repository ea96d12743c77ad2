#!/usr/bin/env bash
# bench/compare.sh BIN — one run, side by side on this machine:
#  1. raw requests/s against the demo target's GET /hello: hey, then a stampede
#     worker, same concurrency and duration; target pinned to core 0, client to
#     core 1 (when there are 2+ cores); prints both and the ratio.
#  2. RSS per idle user: a worker with 10 users, then one with 10,000, each
#     with 1s think time; (RSS_10000 - RSS_10) / 9990.
# Numbers vary run to run on shared machines: compare only within one run.
set -euo pipefail
BIN=${1:-bin/stampede}
DUR=${BENCH_DURATION:-10}
CONC=${BENCH_CONCURRENCY:-50}
IDLE_USERS=${BENCH_IDLE_USERS:-10000}
PORT=${BENCH_PORT:-18080}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

pin_target=""; pin_client=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then pin_target="taskset -c 0"; pin_client="taskset -c 1"; fi

$pin_target "$BIN" demo-target --listen 127.0.0.1:$PORT --log-level warn & pids+=($!)
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.1; done

cat > "$work/hello.yaml" <<YAML
name: hello
base_url: http://127.0.0.1:$PORT
tasks:
  - name: hello
    steps:
      - name: /hello
        request: {method: GET, path: /hello}
YAML
cat > "$work/idle.yaml" <<YAML
name: idle
base_url: http://127.0.0.1:$PORT
think_time: {constant: 1s}
tasks:
  - name: hello
    steps:
      - name: /hello
        request: {method: GET, path: /hello}
YAML

echo "== raw GET /hello, ${CONC} concurrent, ${DUR}s each, target ${pin_target:-unpinned}, client ${pin_client:-unpinned}"
hey_rps=$($pin_client hey -z "${DUR}s" -c "$CONC" http://127.0.0.1:$PORT/hello | awk '/Requests\/sec/ {print $2}')
echo "hey:      ${hey_rps} requests/s"
sleep 2
$pin_client "$BIN" worker "$work/hello.yaml" --users "$CONC" --spawn-rate 0 --duration "${DUR}s" \
  --metrics-addr 127.0.0.1:0 --progress-interval 0 --log-level warn --out "$work/raw.json" >/dev/null
st_rps=$(python3 -c "import json,sys; s=json.load(open('$work/raw.json')); print('%.0f' % s['total']['rps'])")
echo "stampede: ${st_rps} requests/s (full metrics on)"
python3 -c "print('ratio stampede/hey: %.2f' % ($st_rps/$hey_rps))"

rss_of() { # users -> RSS in KiB after the users are up and idle
  "$BIN" worker "$work/idle.yaml" --users "$1" --spawn-rate 0 --duration 30s --metrics-addr 127.0.0.1:0 \
    --progress-interval 0 --log-level warn >/dev/null & local pid=$!
  sleep 15
  local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -INT $pid; wait $pid || true
  echo "$rss"
}
echo "== RSS per idle user (1s think time)"
base=$(rss_of 10); big=$(rss_of "$IDLE_USERS")
echo "RSS with 10 users: $((base/1024)) MiB; with $IDLE_USERS users: $((big/1024)) MiB"
python3 -c "print('RSS per idle user: %.1f KiB' % (($big-$base)/($IDLE_USERS-10)))"
