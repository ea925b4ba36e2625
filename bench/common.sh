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
