#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1, owned by the caller's run.
#   .ci/postgres.sh start DIR [PORT] → prints the DATABASE_URL of a fresh database
#   .ci/postgres.sh stop DIR
# Without PORT (or with PORT=auto) the kernel picks a free port; if another process takes it
# before the server binds, the start is retried on a new one.
set -euo pipefail
cmd=$1 dir=$2 port=${3:-auto}
free_port() {  # a port the kernel hands out now (bind 0, read back, release)
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pgbin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$bin"
}
as_pg() {  # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    bin=$(pgbin)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
    attempts=1
    [ "$port" = auto ] && attempts=5
    for attempt in $(seq "$attempts"); do
      p=$port
      [ "$p" = auto ] && p=$(free_port)
      if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
          -o "-h 127.0.0.1 -p $p -k $dir -c fsync=off -c max_connections=200" start >/dev/null; then
        break
      fi
      if [ "$attempt" = "$attempts" ]; then
        tail -n 20 "$dir/log" >&2
        exit 1
      fi
      echo "postgres.sh: port $p was taken, retrying on another" >&2
    done
    port=$p
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres monitor_test
    echo "postgresql://postgres@127.0.0.1:$port/monitor_test"
    ;;
  stop)
    bin=$(pgbin)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
esac
