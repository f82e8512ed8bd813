#!/usr/bin/env bash
# Install and start a Docker engine where none answers, so soaklab's docker
# backend (and its tests) can run. Idempotent: exits 0 at once when
# `docker info` already works. Runs as root with no terminal (CI).
#
# soaklab only uses host networking and FROM scratch images built locally, so
# the engine is started without iptables rules or a bridge, and with the
# first storage driver that works here (overlay2, then vfs).
#
# Environment:
#   SOAKLAB_DOCKERD_LOG   where dockerd logs (default /tmp/dockerd.log)
#   SOAKLAB_DOCKER_WAIT   seconds to wait for the engine (default 90)
set -euo pipefail

log=${SOAKLAB_DOCKERD_LOG:-/tmp/dockerd.log}
wait_s=${SOAKLAB_DOCKER_WAIT:-90}

say() { echo "scripts/docker/install.sh: $*"; }

answers() { timeout 10 docker info >/dev/null 2>&1; }

version() {
	docker version --format 'docker engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}' 2>/dev/null ||
		docker version
	docker info --format 'storage {{.Driver}}, cgroup {{.CgroupVersion}} driver {{.CgroupDriver}}' 2>/dev/null || true
}

if command -v docker >/dev/null 2>&1 && answers; then
	say "engine already answers"
	version
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	say "no engine answers and not root: cannot install or start one" >&2
	exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
	say "installing docker.io"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
if ! command -v docker >/dev/null 2>&1; then
	say "dockerd installed but no docker client found" >&2
	exit 1
fi

# wait_engine PID SECONDS: 0 once docker info answers, 1 when dockerd died or
# time ran out.
wait_engine() {
	local pid=$1 n=$2 i
	for ((i = 0; i < n; i++)); do
		if answers; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 1
	done
	return 1
}

start() {
	local driver=$1
	say "starting dockerd (storage driver $driver), log $log"
	# A stale pid file or socket from a killed dockerd stops a new one.
	rm -f /var/run/docker.pid /var/run/docker.sock
	nohup dockerd --iptables=false --ip6tables=false --bridge=none \
		--storage-driver="$driver" --exec-opt native.cgroupdriver=cgroupfs \
		</dev/null >>"$log" 2>&1 &
	local pid=$!
	if wait_engine "$pid" "$wait_s"; then
		return 0
	fi
	say "dockerd with $driver did not answer; last log lines:" >&2
	tail -n 15 "$log" >&2 || true
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -9 "$pid" 2>/dev/null || true
	return 1
}

pid=$(pidof dockerd 2>/dev/null | awk '{print $1}' || true)
if [ -n "$pid" ]; then
	say "dockerd is running (pid $pid) but does not answer yet; waiting"
	if wait_engine "$pid" "$wait_s"; then
		version
		exit 0
	fi
	say "running dockerd (pid $pid) never answered" >&2
	exit 1
fi

for driver in overlay2 vfs; do
	if start "$driver"; then
		version
		exit 0
	fi
done
say "no storage driver worked; see $log" >&2
exit 1
