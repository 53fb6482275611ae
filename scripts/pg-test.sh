#!/bin/sh
# A throwaway PostgreSQL server for the tests, from Debian's packages.
#   pg-test.sh start DIR   creates a cluster in DIR, starts it on 127.0.0.1,
#                          and prints its URL
#   pg-test.sh stop DIR    stops it and removes DIR
# As root, the server runs as the postgres user (it refuses to run as root).
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
	echo "PostgreSQL is not installed (Debian package postgresql)" >&2
	exit 1
fi
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
case "$cmd" in
start)
	port=${PGTEST_PORT:-55432}
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	if [ -d "$dir/data" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: pg-test.sh start|stop DIR" >&2
	exit 2
	;;
esac
