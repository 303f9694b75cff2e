#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench_http.sh - GET requests per second of mrfabricd for a Zone and for
# the Fabric, with wrk on loopback, beside nginx serving the very same
# bodies as static files in the same run.
#
#   tests/bench/bench_http.sh [BUILD_DIR [WRK_ARGS...]]
#
# BUILD_DIR defaults to build (mrfabricd is BUILD_DIR/mrfabricd); WRK_ARGS
# default to "-t1 -c16 -d10s".  Needs wrk, nginx and curl (bench-only
# tools: apt-get install wrk nginx).  The daemon runs the small example
# chassis at --speed 0 with VF F-0-2-1 bound to Zone-0, so the Zone body
# has a host and a function; its database is in a temp dir.  The bodies
# are fetched from the daemon with curl and written to a temp docroot;
# nginx (one worker, access log off, daemon off, pid file in the temp
# dir) serves them.  Each server is measured alone, one after the other,
# with wrk pinned to CPU 1 and the server to CPU 0 (taskset), so the two
# share the same two cores the same way.
set -eu

BUILD=${1:-build}
[ $# -gt 0 ] && shift
WRK_ARGS=${*:--t1 -c16 -d10s}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DAEMON=$BUILD/mrfabricd
for tool in wrk nginx curl taskset; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench_http: $tool not found" >&2
		exit 1
	}
done
[ -x "$DAEMON" ] || {
	echo "bench_http: $DAEMON not built" >&2
	exit 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_http.XXXXXX")
DPID=
NPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# two free loopback ports
PORTS=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
DPORT=${PORTS% *}
NPORT=${PORTS#* }

printf '{"database": "%s/mrfabricd.db"}\n' "$TMP" >"$TMP/mrfabricd.json"
# plain HTTP on loopback (as nginx); the first Administrator's password
# from a file, a session token for curl and wrk
PW=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$PW" >"$TMP/admin.password"
taskset -c 0 "$DAEMON" --sim "$SRC/examples/chassis-small.json" \
	--config "$TMP/mrfabricd.json" --listen "127.0.0.1:$DPORT" \
	--speed 0 --log-level warn --plain-http \
	--admin-password-file "$TMP/admin.password" 2>"$TMP/mrfabricd.log" &
DPID=$!
BASE=http://127.0.0.1:$DPORT
i=0
until curl -sf -o /dev/null "$BASE/redfish/v1"; do
	i=$((i + 1))
	[ $i -lt 200 ] || {
		echo "bench_http: mrfabricd does not answer" >&2
		cat "$TMP/mrfabricd.log" >&2
		exit 1
	}
	sleep 0.05
done
TOKEN=$(curl -sf -o /dev/null -D - -X POST -H 'Content-Type: application/json' \
	-d "{\"UserName\": \"admin\", \"Password\": \"$PW\"}" \
	"$BASE/redfish/v1/SessionService/Sessions" |
	awk -F': ' 'tolower($1) == "x-auth-token" { sub(/\r$/, "", $2); print $2 }')
[ -n "$TOKEN" ] || {
	echo "bench_http: no session" >&2
	exit 1
}
AUTH="X-Auth-Token: $TOKEN"
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -H "$AUTH" \
	-d '{"Endpoint": {"@odata.id": "/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-1"}}' \
	"$BASE/redfish/v1/Fabrics/PCIe/Zones/Zone-0/Actions/Zone.AddEndpoint"

ZONE=/redfish/v1/Fabrics/PCIe/Zones/Zone-0
FABRIC=/redfish/v1/Fabrics/PCIe
mkdir -p "$TMP/www$ZONE" "$TMP/www$FABRIC"
# a directory cannot also be a file: serve each body as index.json of
# its URI's directory, so nginx answers the very same URI
curl -sf -H "$AUTH" -o "$TMP/www$ZONE/index.json" "$BASE$ZONE"
curl -sf -H "$AUTH" -o "$TMP/www$FABRIC/index.json" "$BASE$FABRIC"
chmod 755 "$TMP"
chmod -R a+rX "$TMP/www"

cat >"$TMP/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/nginx.err warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx-body;
	proxy_temp_path $TMP/nginx-proxy;
	fastcgi_temp_path $TMP/nginx-fastcgi;
	uwsgi_temp_path $TMP/nginx-uwsgi;
	scgi_temp_path $TMP/nginx-scgi;
	types { application/json json; }
	default_type application/json;
	server {
		listen 127.0.0.1:$NPORT;
		root $TMP/www;
		index index.json;
		location / { try_files \$uri/index.json =404; }
	}
}
EOF
taskset -c 0 nginx -c "$TMP/nginx.conf" -p "$TMP" &
NPID=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$NPORT$ZONE"; do
	i=$((i + 1))
	[ $i -lt 200 ] || {
		echo "bench_http: nginx does not answer" >&2
		cat "$TMP/nginx.err" >&2
		exit 1
	}
	sleep 0.05
done
for uri in $ZONE $FABRIC; do
	curl -sf "http://127.0.0.1:$NPORT$uri" | cmp -s - "$TMP/www$uri/index.json" || {
		echo "bench_http: nginx does not serve the body of $uri" >&2
		exit 1
	}
done

# requests/s of one wrk run against $1 (both servers get the session
# header; nginx ignores it)
rate() {
	taskset -c 1 wrk $WRK_ARGS -H "$AUTH" "$1" >"$TMP/wrk.out" 2>&1
	if grep -q "Non-2xx" "$TMP/wrk.out"; then
		echo "bench_http: non-2xx answers from $1" >&2
		cat "$TMP/wrk.out" >&2
		exit 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk.out"
}

echo "bench_http: wrk $WRK_ARGS; server on CPU 0, wrk on CPU 1"
echo "| resource | body bytes | mrfabricd req/s | nginx req/s | mrfabricd/nginx |"
echo "|----------|------------|-----------------|-------------|-----------------|"
for uri in $ZONE $FABRIC; do
	bytes=$(wc -c <"$TMP/www$uri/index.json")
	d=$(rate "$BASE$uri")
	n=$(rate "http://127.0.0.1:$NPORT$uri")
	awk -v u="$uri" -v b="$bytes" -v d="$d" -v n="$n" 'BEGIN {
		printf "| %s | %d | %.0f | %.0f | %.2f |\n", u, b, d, n, d / n }'
done
