#!/usr/bin/env bash
# `make verdicts`: runs the judge's acceptance matrices and checks them.
#   ci/verdicts.yaml         steady / leaky / hog, stairstep A/B    (verdicts-<ts>)
#   ci/verdicts-memory.yaml  shared- and kernel-memory leaks, page cache,
#                            a crash behind a wrapper, smoke cells  (memory-verdicts-<ts>)
#   ci/false-alarms.yaml     30 x 3 min of steady servers          (false-alarms-<ts>)
# Each matrix runs as VERDICT_SHARDS shards in parallel (default 3; the false
# alarms: VERDICT_FA_SHARDS, default 6), merged into one run, then
# `go run ./scripts/verdicts` checks every expectation and prints the
# false-alarm count. VERDICT_ONLY=memory,false-alarms runs a subset.
# Usage: scripts/verdicts/run.sh <soaklab-binary> <results-dir>
set -uo pipefail
bin=${1:?usage: run.sh <soaklab-binary> <results-dir>}
results=${2:?usage: run.sh <soaklab-binary> <results-dir>}
ts=$(date +%s)
only=${VERDICT_ONLY:-verdicts,memory,false-alarms}

# sharded <matrix> <run-id> <shards>: runs the shards in parallel and merges them.
sharded() {
	local matrix=$1 id=$2 n=$3 pids=() dirs=()
	for i in $(seq 1 "$n"); do
		"$bin" run -m "$matrix" --results "$results" --run-id "$id-shard$i" --shard "$i/$n" --quiet \
			>"$results/$id-shard$i.log" 2>&1 &
		pids+=($!)
		dirs+=("$results/$id-shard$i")
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for i in $(seq 1 "$n"); do
		code=$(tail -n 3 "$results/$id-shard$i.log")
		echo "$id shard $i/$n: $code"
	done
	# merge judges the whole run: 1 only says some cell is NO-GO, as expected here
	"$bin" merge -o "$results/$id" "${dirs[@]}" >/dev/null
	if [ $? -gt 1 ]; then echo "verdicts: merge of $id failed" >&2; return 3; fi
	rm -rf "${dirs[@]}"
}

mkdir -p "$results"
case ",$only," in *,verdicts,*) sharded ci/verdicts.yaml "verdicts-$ts" "${VERDICT_SHARDS:-3}" ;; esac
case ",$only," in *,memory,*) sharded ci/verdicts-memory.yaml "memory-verdicts-$ts" "${VERDICT_SHARDS:-3}" ;; esac
case ",$only," in *,false-alarms,*) sharded ci/false-alarms.yaml "false-alarms-$ts" "${VERDICT_FA_SHARDS:-6}" ;; esac
exec go run ./scripts/verdicts -only "$only" "$results"
