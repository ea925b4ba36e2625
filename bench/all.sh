#!/usr/bin/env bash
# Every benchmark in one go, and one table of what they measured: each
# figure beside its peer measured in the same run (Datasette, nginx, plain
# SQL on the same database, the home page, a naive store, real time…) and
# the ratio, always read as "times as good as the peer" (above 1: better).
#
# Each benchmark prints its figures as `FIGURE<TAB>name<TAB>value<TAB>unit
# <TAB>peer<TAB>peer value<TAB>higher|lower` lines (bench/support.rs
# `figure`, bench/common.sh `figure`); its own human-readable output and its
# preconditions (same bytes, same ids, same counts) stay its own: a failed
# precondition fails that benchmark. A benchmark that fails, or prints no
# figure, is a FAILED row and makes this script exit 1 after the table.
#
# Run: bash bench/all.sh
#   QUICK=1 (the default) runs the cargo benchmarks at their quick sizes;
#   QUICK=0 at full size (hours on two cores).
#   ONLY="opendata courts" runs those only; the others are listed as not run.
#   Logs: bench/out/all/<name>.log; the table also in bench/out/all/table.md.
set -uo pipefail
cd "$(dirname "$0")/.."
export QUICK=${QUICK:-1}
[ "$QUICK" = 0 ] && unset QUICK
SHELL_BENCHES=(home opendata speech)
CARGO_BENCHES=(locate photo problems pm construction limits participation lawmaking social staffing
  courts monitoring press medo planner bi scale)
OUT=bench/out/all
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/table.md

selected() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

MACHINE="machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(rustc --version | cut -d' ' -f1-2), \
veche $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u '+%Y-%m-%d %H:%M UTC'), \
${QUICK:+QUICK=1 }load before $(cut -d' ' -f1 /proc/loadavg)"
echo "$MACHINE"

# One build for everything, so that no benchmark's time includes one.
echo "== building (release, benchmarks)"
cargo build --release --quiet || { echo "FAILED: the release build"; exit 1; }
cargo bench --no-run --quiet || { echo "FAILED: building the benchmarks"; exit 1; }

declare -A STATUS SECONDS_TAKEN
run() {
  local name=$1; shift
  if ! selected "$name"; then STATUS[$name]="not run (ONLY)"; return; fi
  echo "== $name: $*"
  local t0=$SECONDS
  "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  SECONDS_TAKEN[$name]=$((SECONDS - t0))
  if [ $rc -ne 0 ]; then
    STATUS[$name]="FAILED (exit $rc; last lines of $OUT/$name.log below)"
    tail -5 "$OUT/$name.log" | sed 's/^/    /'
  elif ! grep -q '^FIGURE	' "$OUT/$name.log"; then
    STATUS[$name]="FAILED (no figure printed)"
  else
    STATUS[$name]="ok"
  fi
  echo "   ${STATUS[$name]} in ${SECONDS_TAKEN[$name]} s"
}

# The shell benchmarks take the binary just built (home.sh's own build is a no-op then).
for b in "${SHELL_BENCHES[@]}"; do run "$b" env VECHE_BIN=target/release/veche bash "bench/$b.sh"; done
for b in "${CARGO_BENCHES[@]}"; do run "$b" cargo bench --quiet --bench "$b"; done

{
  echo "$MACHINE"
  echo
  echo "| benchmark | figure | value | peer in the same run | peer's value | ratio (× as good as the peer) |"
  echo "|---|---|---|---|---|---|"
  for b in "${SHELL_BENCHES[@]}" "${CARGO_BENCHES[@]}"; do
    if [ "${STATUS[$b]}" != ok ]; then
      echo "| $b | ${STATUS[$b]} | | | | |"
      continue
    fi
    grep '^FIGURE	' "$OUT/$b.log" | awk -F'\t' -v b="$b" '
      {
        ratio = "-"
        if ($6 != "-" && $6 + 0 != 0 && $3 + 0 != 0) {
          r = ($7 == "lower") ? ($6 / $3) : ($3 / $6)
          ratio = sprintf("%.3g", r)
        }
        printf "| %s | %s | %s %s | %s | %s | %s |\n", b, $2, $3, $4, $5, ($6 == "-" ? "-" : $6 " " $4), ratio
      }'
  done
} >"$OUT/table.md"
echo
cat "$OUT/table.md"

failed=0
for b in "${SHELL_BENCHES[@]}" "${CARGO_BENCHES[@]}"; do
  [[ "${STATUS[$b]}" == FAILED* ]] && { echo "FAILED: $b (${STATUS[$b]})" >&2; failed=1; }
done
exit $failed
