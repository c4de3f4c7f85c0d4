#!/usr/bin/env bash
# Measures what deploy/k8s/base's resource requests are taken from: the resident
# memory (VmRSS, and the peak VmHWM) and CPU of each service in a process of its
# own, as a pod runs it, idle and under a light load.
#
#   npm start            # in another shell: PostgreSQL, Redis, Kafka, the dev databases, the router's subgraphs
#   bash deploy/tools/measure-resources.sh > /tmp/resources.tsv
#
# Each subgraph is started with KAFKA_BROKERS pointing at nothing, so it does
# not join the running stack's consumer groups (a second group would handle
# its events twice); its kafkajs clients therefore hold no fetch buffers.
# Load: RATE requests/s (default 50, a light load) over 4 connections for 10 s
# (autocannon) on a query the service answers:
# `{ _service { sdl } }` for a subgraph (the Apollo pipeline, no database),
# the storefront's product listing through a router of our own for the
# router, GET / and GET /robots.txt for the storefront, GET /sign-in for the admin.
set -euo pipefail
cd "$(dirname "$0")/../.."
export APP_ENV=development NODE_ENV=production
IDLE_S=${IDLE_S:-15}
RATE=${RATE:-50}
LOAD_S=${LOAD_S:-10}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
wait_http() { for _ in $(seq 1 120); do curl -fs -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }
hz=$(getconf CLK_TCK)

# measure NAME PID PROBE_URL LOAD_ARGS...
measure() {
  local name=$1 pid=$2 probe=$3; shift 3
  wait_http "$probe"
  sleep "$IDLE_S"
  local idle_rss t0 t1 reqs
  idle_rss=$(kib "$pid" VmRSS)
  t0=$(ticks "$pid")
  sleep 5
  local idle_ticks=$(( $(ticks "$pid") - t0 ))
  t0=$(ticks "$pid")
  reqs=$(nice -n 19 npx --no-install autocannon -c 4 -R "$RATE" -d "$LOAD_S" -j "$@" 2>/dev/null | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.requests.total+" "+r.non2xx)})')
  t1=$(ticks "$pid")
  local total=${reqs% *} non2xx=${reqs#* }
  local cpu_ms=$(( (t1 - t0) * 1000 / hz ))
  printf '%s\tidle_rss_mib=%s\tidle_cpu_pct=%s\tload_rss_mib=%s\tpeak_rss_mib=%s\trequests=%s\tnon2xx=%s\tload_cpu_pct=%s\tcpu_ms_per_req=%s\n' \
    "$name" "$((idle_rss / 1024))" "$(( idle_ticks * 100 / hz / 5 ))" "$(( $(kib "$pid" VmRSS) / 1024 ))" "$(( $(kib "$pid" VmHWM) / 1024 ))" \
    "$total" "$non2xx" "$(( cpu_ms / 10 / LOAD_S ))" "$(awk -v c="$cpu_ms" -v n="$total" 'BEGIN{printf "%.2f", n ? c/n : 0}')"
}

SDL='{"query":"{ _service { sdl } }"}'
port=4610
for name in users catalog cart orders payments inventory notifications search; do
  port=$((port + 1))
  upper=${name^^}
  env "${upper}_PORT=$port" KAFKA_BROKERS=127.0.0.1:1 nice -n 19 node --import tsx "subgraphs/$name/src/main.ts" > "/tmp/measure-$name.log" 2>&1 &
  pid=$!; pids+=("$pid")
  measure "$name" "$pid" "http://127.0.0.1:$port/health" -m POST -H 'content-type: application/json' -b "$SDL" "http://127.0.0.1:$port/graphql"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

# The router, on the running stack's subgraphs (4001-4008).
LISTING=$(node -e 'console.log(JSON.stringify({query:"{ products(first: 20) { edges { node { id name slug priceRange(currency: USD) { min { amountMinor currency } } variants { id sku } rating { average count } reviews(first: 3) { edges { node { id rating title author { id name } } } } } } } }"}))')
ROUTER_PORT=4690 nice -n 19 node --import tsx router/src/main.ts > /tmp/measure-router.log 2>&1 &
pid=$!; pids+=("$pid")
measure router "$pid" "http://127.0.0.1:4690/health" -m POST -H 'content-type: application/json' -b "$LISTING" "http://127.0.0.1:4690/graphql"
kill "$pid"; wait "$pid" 2>/dev/null || true

# The Next.js apps (their production builds, as `npm start` makes them), on the running router.
for app in storefront admin; do
  case $app in storefront) port=3690; path=/;; admin) port=3691; path=/sign-in;; esac
  (cd "$app" && exec nice -n 19 npx --no-install next start -p "$port") > "/tmp/measure-$app.log" 2>&1 &
  sleep 3
  pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  wait_http "http://127.0.0.1:$port$path"
  pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  pids+=("$pid")
  measure "$app" "$pid" "http://127.0.0.1:$port$path" "http://127.0.0.1:$port$path"
  kill "$pid"; wait 2>/dev/null || true
done
