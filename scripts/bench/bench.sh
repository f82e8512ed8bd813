#!/usr/bin/env bash
# bench.sh: compare soaklab's load driver in max-rate mode with wrk against
# the same trivial loopback target, same duration, same connections.
# It installs nothing; without wrk it measures the driver alone.
#
# Usage: scripts/bench/bench.sh [-d SECONDS] [-c CONNECTIONS] [-r ROUNDS]
# Rounds alternate wrk and the driver; the medians are compared, because
# a shared machine's noise is of the order of the difference measured.
set -euo pipefail

dur=10
conns=64
rounds=3
while getopts "d:c:r:h" opt; do
	case "$opt" in
	d) dur=$OPTARG ;;
	c) conns=$OPTARG ;;
	r) rounds=$OPTARG ;;
	*) sed -n '2,9p' "$0"; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
target_pid=""
cleanup() {
	if [[ -n "$target_pid" ]]; then kill "$target_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/target" ./scripts/bench/target && go build -o "$tmp/drive" ./scripts/bench/drive)
"$tmp/target" -addr 127.0.0.1:0 >"$tmp/addr" &
target_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/addr" ]] && break; sleep 0.1; done
addr=$(head -1 "$tmp/addr")
url="http://$addr"
echo "target $url, ${dur}s per run, $conns connections, $rounds rounds, $(nproc) cores shared"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

have_wrk=0
command -v wrk >/dev/null && have_wrk=1
[[ $have_wrk == 1 ]] || echo "wrk not found (Debian package wrk): measuring the driver alone"

: >"$tmp/wrk.txt"
: >"$tmp/drive.txt"
threads=$(nproc)
for r in $(seq "$rounds"); do
	if [[ $have_wrk == 1 ]]; then
		w=$(wrk -t"$threads" -c"$conns" -d"${dur}s" "$url/" | awk '/^Requests\/sec:/ {print $2}')
		echo "$w" >>"$tmp/wrk.txt"
		printf 'round %d  wrk     %10.0f req/s\n' "$r" "$w"
	fi
	line=$("$tmp/drive" -url "$url" -tasks "$conns" -duration "${dur}s")
	d=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$line")
	echo "$d" >>"$tmp/drive.txt"
	printf 'round %d  driver  %10.0f req/s  (%s)\n' "$r" "$d" "$line"
done

dm=$(median <"$tmp/drive.txt")
printf 'median  driver  %10.0f req/s\n' "$dm"
if [[ $have_wrk == 1 ]]; then
	wm=$(median <"$tmp/wrk.txt")
	printf 'median  wrk     %10.0f req/s\n' "$wm"
	awk -v d="$dm" -v w="$wm" 'BEGIN {printf "ratio   driver/wrk = %.2f\n", d / w}'
fi
