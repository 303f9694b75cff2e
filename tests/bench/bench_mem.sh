#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench_mem.sh - peak memory (VmHWM) of mrfabricd with a 16,384-VF
# chassis, beside the small example chassis in the same run.
#
#   tests/bench/bench_mem.sh [BUILD_DIR]
#
# BUILD_DIR defaults to build.  The big chassis has the shape of
# bench_chassis.c's: 32 blades, 4 switches in a ring (8 upstream, 16
# downstream and 2 fabric ports each), 64 SR-IOV PFs x 256 VFs.  For each
# chassis: start mrfabricd --sim CHASSIS --speed 0 (database in a temp
# dir), wait until it answers, GET the Zones collection and every Zone in
# it, then read VmHWM (peak resident set) and VmRSS from
# /proc/PID/status, and the wall time from start to the first answer;
# then GET the Endpoints collection (to count the function endpoints:
# 16,384 members for the big chassis) and read VmHWM again.
set -eu

BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DAEMON=$BUILD/mrfabricd
[ -x "$DAEMON" ] || {
	echo "bench_mem: $DAEMON not built" >&2
	exit 1
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_mem.XXXXXX")
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

python3 - "$TMP/big.json" <<'EOF'
import json, sys
link = {"width": 16, "speed": "32GT/s"}
S, B, P, V = 4, 8, 16, 256
ch = {"name": "big", "blades": [], "switches": [], "endpoints": []}
ch["blades"] = [{"name": "blade%d" % i, "link": link} for i in range(S * B)]
for s in range(S):
    ports = [{"number": i, "kind": "upstream", "link": link,
              "blade": "blade%d" % (s * B + i)} for i in range(B)]
    ports += [{"number": B + i, "kind": "downstream", "link": link,
               "endpoint": "nic%d" % (s * P + i)} for i in range(P)]
    f = B + P
    ports.append({"number": f, "kind": "fabric", "link": link,
                  "peer": {"switch": "sw%d" % ((s + 1) % S), "port": f + 1}})
    ports.append({"number": f + 1, "kind": "fabric", "link": link,
                  "peer": {"switch": "sw%d" % ((s + S - 1) % S), "port": f}})
    ch["switches"].append({"name": "sw%d" % s, "vendor": "0x1000",
                           "device": "0xc030", "ports": ports})
for i in range(S * P):
    ch["endpoints"].append({
        "name": "nic%d" % i, "vendor": "0x15b3", "device": "0x1021",
        "class": "0x020000", "link": link,
        "bars": [{"index": 0, "size": "64M", "mem64": True,
                  "prefetchable": True}],
        "sriov": {"total_vfs": V, "vf_device": "0x101e",
                  "vf_bars": [{"index": 0, "size": "2M", "mem64": True,
                               "prefetchable": True}]}})
json.dump(ch, open(sys.argv[1], "w"))
EOF

free_port() {
	python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now_ms() {
	date +%s%3N
}

PW=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

# measure NAME CHASSIS: prints one table row
measure() {
	port=$(free_port)
	base=http://127.0.0.1:$port
	rm -f "$TMP/d.db" "$TMP/d.db-wal" "$TMP/d.db-shm"
	printf '{"database": "%s/d.db"}\n' "$TMP" >"$TMP/cfg.json"
	# plain HTTP on loopback, HTTP Basic as the first Administrator
	printf '%s\n' "$PW" >"$TMP/admin.password"
	t0=$(now_ms)
	"$DAEMON" --sim "$2" --config "$TMP/cfg.json" \
		--listen "127.0.0.1:$port" --speed 0 --log-level warn \
		--plain-http --admin-password-file "$TMP/admin.password" \
		2>"$TMP/$1.log" &
	DPID=$!
	i=0
	until curl -sf -o /dev/null "$base/redfish/v1"; do
		i=$((i + 1))
		[ $i -lt 1200 ] || {
			echo "bench_mem: mrfabricd ($1) does not answer" >&2
			cat "$TMP/$1.log" >&2
			exit 1
		}
		sleep 0.05
	done
	t1=$(now_ms)
	curl -sf -u "admin:$PW" "$base/redfish/v1/Fabrics/PCIe/Zones" >"$TMP/zones.json"
	zones=0
	for z in $(python3 -c 'import json, sys
for m in json.load(open(sys.argv[1]))["Members"]: print(m["@odata.id"])' \
		"$TMP/zones.json"); do
		curl -sf -u "admin:$PW" -o /dev/null "$base$z"
		zones=$((zones + 1))
	done
	hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$DPID/status)
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$DPID/status)
	vfs=$(curl -sf -u "admin:$PW" "$base/redfish/v1/Fabrics/PCIe/Endpoints" |
		python3 -c 'import json, sys
print(sum(1 for m in json.load(sys.stdin)["Members"]
          if m["@odata.id"].rsplit("/", 1)[1].startswith("F-")))')
	hwm2=$(awk '/^VmHWM:/ { print $2 }' /proc/$DPID/status)
	kill "$DPID"
	wait "$DPID" || {
		echo "bench_mem: mrfabricd ($1) did not exit cleanly" >&2
		exit 1
	}
	DPID=
	awk -v n="$1" -v f="$vfs" -v z="$zones" -v h="$hwm" -v r="$rss" -v h2="$hwm2" \
		-v t="$((t1 - t0))" 'BEGIN {
		printf "| %s | %d | %d | %d | %.1f | %.1f | %.1f |\n", n, f, z,
			t, h / 1024, r / 1024, h2 / 1024 }'
}

echo "| chassis | function endpoints | zones walked | start to first answer ms | VmHWM MiB | VmRSS MiB | VmHWM after GET Endpoints MiB |"
echo "|---------|--------------------|--------------|--------------------------|-----------|-----------|-------------------------------|"
measure small "$SRC/examples/chassis-small.json"
measure big "$TMP/big.json"
