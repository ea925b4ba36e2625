# What the shell benchmarks share; sourced from the repository's root.

# Installs the package $2 when the command $1 is missing.
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }

# Starts nginx with two workers over $WORK (its pid in $WORK/nginx.pid, for
# the caller's cleanup); $1 is the rest of its http block: types and server.
start_nginx() {
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
$1
}
CONF
  nginx -c "$WORK/nginx.conf" -p "$WORK"
}

# One line for bench/all.sh's table, as bench/support.rs's `figure` prints it:
# figure NAME VALUE UNIT PEER PEER_VALUE higher|lower (PEER "-" and
# PEER_VALUE "-" when the bench measures no peer). Values get up to three
# decimals; tabs inside a field become spaces.
figure() {
  local name=${1//$'\t'/ } value=$2 unit=${3//$'\t'/ } peer=${4//$'\t'/ } peer_value=$5 better=$6
  case $better in higher | lower) ;; *) echo "figure: $better is neither higher nor lower" >&2; return 1 ;; esac
  num() { case $1 in - | '' | nan | NaN) echo - ;; *) LC_ALL=C printf '%.3f' "$1" | sed -e 's/0*$//' -e 's/\.$//' ;; esac; }
  printf 'FIGURE\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(num "$value")" "$unit" "$peer" "$(num "$peer_value")" "$better"
}

# Waits until process $1 has used under 5 % of a core for two seconds in a
# row (a server merging its search index or building indexes in the
# background is not measured as if it were serving alone), at most $2
# seconds (default 120); says how long it waited.
wait_quiet() {
  local pid=$1 limit=${2:-120} tick quiet=0 waited=0 before after
  tick=$(getconf CLK_TCK)
  cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  before=$(cpu)
  while [ "$waited" -lt "$limit" ]; do
    sleep 1
    waited=$((waited + 1))
    after=$(cpu)
    if [ $((after - before)) -lt $(((tick + 19) / 20)) ]; then
      quiet=$((quiet + 1))
      [ "$quiet" -ge 2 ] && { echo "  (the server was quiet after ${waited} s)"; return 0; }
    else
      quiet=0
    fi
    before=$after
  done
  echo "  (the server was still busy after ${limit} s: measuring anyway)"
}
