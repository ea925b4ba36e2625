#!/usr/bin/env bash
# Home page throughput with 64 concurrent connections and the server's peak
# memory during the load, side by side with nginx serving the same page as a
# static file (the physical limit of this machine for that response).
#
# Also the start-up time: the first start (which writes the demo region)
# and the second; and a citizen's report page ($REPORT, /problems/600 by
# default) against the home page in the same run, twice: as readers who are
# not signed in get it (kept until the next commit, workflow::page_cache),
# and rendered from the database on every request (the same page at an
# address with a query, as a signed-in reader or the first reader after a
# commit gets it). The home page serves its live blocks cached.
#
# Run: bash bench/home.sh            (DURATION=30 bash bench/home.sh for longer runs)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
REPORT=${REPORT:-/problems/600}
VECHE_PORT=18181
NGINX_PORT=18182

source bench/common.sh
need wrk wrk
need nginx nginx

cargo build --release --quiet
WORK=$(mktemp -d)
# nginx's workers run as an unprivileged user: they must be able to read.
chmod 755 "$WORK"
cleanup() { kill "${VECHE_PID:-}" 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# Start-up: the first start on an empty data folder writes the demo region
# (migrations, directory, ~600 reports, ~200 objects, ~1,300 orders); the
# second reuses it.
# Sets VECHE_PID and STARTED (seconds until /health answers); not called
# in a subshell, so the server's pid stays known to `cleanup`.
start_veche() {
  local t0 t1
  t0=$(date +%s.%N)
  ./target/release/veche --data-dir "$WORK/data" --listen 127.0.0.1:$VECHE_PORT --log warn >>"$WORK/veche.log" 2>&1 &
  VECHE_PID=$!
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$VECHE_PORT/health" >/dev/null && break; sleep 0.05; done
  t1=$(date +%s.%N)
  STARTED=$(echo "$t1 - $t0" | bc)
}
start_veche
FIRST_START=$STARTED
# Let the workers index and publish what the first start queued, so the
# second start measures a plain restart.
sleep 10
kill "$VECHE_PID"; wait "$VECHE_PID" 2>/dev/null || true
start_veche
SECOND_START=$STARTED
curl -sf "http://127.0.0.1:$VECHE_PORT/" -o "$WORK/index.html"

chmod 644 "$WORK/index.html"
start_nginx "  types { text/html html; }
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK; location / { try_files /index.html =404; } }"
sleep 0.5
# Both must answer 200 with the same page, or the comparison means nothing.
[ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$NGINX_PORT/")" = "200 $(wc -c <"$WORK/index.html")" ] || { echo "nginx does not serve the page"; exit 1; }

rss() { awk '/^'"$1"':/ {print $2}' "/proc/$VECHE_PID/status"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '/ 99%/ {print $2}' "$1"; }

echo "warming up..."
wrk -t2 -c64 -d3s "http://127.0.0.1:$VECHE_PORT/" >/dev/null
RSS_BEFORE=$(rss VmRSS)
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$VECHE_PORT/" >"$WORK/veche.wrk"
PEAK=$(rss VmHWM)
RSS_AFTER=$(rss VmRSS)
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$NGINX_PORT/" >"$WORK/nginx.wrk"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$VECHE_PORT$REPORT")" = 200 ] || { echo "$REPORT does not answer 200"; exit 1; }
wrk -t2 -c64 -d3s "http://127.0.0.1:$VECHE_PORT$REPORT" >/dev/null
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$VECHE_PORT$REPORT" >"$WORK/report.wrk"
# The same page at an address with a query, which is never kept
# (workflow::page_cache): what a signed-in reader, or the first reader after
# a commit, costs. Same content, or the comparison means nothing.
RENDERED="$REPORT?from=bench"
same_page() { curl -s "http://127.0.0.1:$VECHE_PORT$1" | sed -e 's/csrf-token" content="[^"]*"//' -e 's/next=[^"]*"//g' -e 's/%3Ffrom%3Dbench//g'; }
[ "$(same_page "$REPORT" | md5sum)" = "$(same_page "$RENDERED" | md5sum)" ] || { echo "$RENDERED and $REPORT differ"; exit 1; }
wrk -t2 -c64 -d3s "http://127.0.0.1:$VECHE_PORT$RENDERED" >/dev/null
wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$VECHE_PORT$RENDERED" >"$WORK/rendered.wrk"

V=$(rps "$WORK/veche.wrk"); N=$(rps "$WORK/nginx.wrk")
echo
echo "home page: $(wc -c <"$WORK/index.html") bytes, 64 connections, ${DURATION}s, $(nproc) cores shared by client and server"
printf "veche  %10.0f req/s   p99 %s\n" "$V" "$(p99 "$WORK/veche.wrk")"
printf "nginx  %10.0f req/s   p99 %s   (same bytes as a static file)\n" "$N" "$(p99 "$WORK/nginx.wrk")"
echo "ratio veche / nginx: $(awk -v a="$V" -v b="$N" 'BEGIN {printf "%.2f", a/b}')"
echo "veche memory: RSS $((RSS_BEFORE / 1024)) MiB before the load, $((RSS_AFTER / 1024)) MiB after; peak (VmHWM) $((PEAK / 1024)) MiB"
echo "start-up with the demo region: first start on an empty data folder ${FIRST_START} s, second start ${SECOND_START} s"
R=$(rps "$WORK/report.wrk")
printf "report %10.0f req/s   p99 %s   (%s; %.2f of the home page)\n" "$R" "$(p99 "$WORK/report.wrk")" "$REPORT" "$(awk -v a="$R" -v b="$V" 'BEGIN {print a/b}')"
G=$(rps "$WORK/rendered.wrk")
printf "report %10.0f req/s   p99 %s   (%s, rendered each time; %.2f of the home page)\n" "$G" "$(p99 "$WORK/rendered.wrk")" "$RENDERED" "$(awk -v a="$G" -v b="$V" 'BEGIN {print a/b}')"
figure "home sqlite: home page throughput, 64 connections" "$V" "req/s" "nginx, the same page as a static file" "$N" higher
figure "home sqlite: a report's page ($REPORT, kept for readers not signed in) throughput, 64 connections" "$R" "req/s" "the home page, same run" "$V" higher
figure "home sqlite: a report's page rendered each time ($RENDERED) throughput, 64 connections" "$G" "req/s" "the home page, same run" "$V" higher
