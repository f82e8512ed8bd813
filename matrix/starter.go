package matrix

import (
	"fmt"
	"strconv"
	"strings"
)

// Starter returns a commented starter matrix for one server target run by
// command. A command that mentions $PORT is run through sh, so the port
// soaklab picks reaches the program as an argument; any other command must
// read the PORT environment variable. The result parses as it is.
func Starter(command []string) []byte {
	if len(command) == 0 {
		command = []string{"./your-server"}
	}
	usesPort := false
	for _, a := range command {
		if strings.Contains(a, "$PORT") || strings.Contains(a, "${PORT}") {
			usesPort = true
		}
	}
	var cmd, portNote string
	if usesPort {
		cmd = "[sh, -c, " + strconv.Quote("exec "+strings.Join(command, " ")) + "]"
		portNote = "    # $PORT is the port soaklab picked on 127.0.0.1; sh passes it to the program."
	} else {
		quoted := make([]string, len(command))
		for i, a := range command {
			quoted[i] = strconv.Quote(a)
		}
		cmd = "[" + strings.Join(quoted, ", ") + "]"
		portNote = "    # The program must listen on 127.0.0.1 at the port in $PORT (port_env renames it).\n" +
			"    # A program that takes its port as an argument: [sh, -c, 'exec prog --port \"$PORT\"']."
	}
	return fmt.Appendf(nil, starterText, cmd, portNote)
}

const starterText = `# yaml-language-server: $schema=./matrix.schema.json
# A soaklab matrix: which program to soak, under which memory limits, at
# which load, and how to judge it. Reference:
# https://github.com/soaklab/soaklab/blob/main/docs/matrix.md
#   soaklab validate            check this file (every problem, with positions)
#   soaklab expand              list the cells it runs
#   soaklab run                 run it; prints the run id and the report's path
#   soaklab schema > matrix.schema.json   lets your editor complete keys
name: my-service

targets:
  app:
    # How to start your program, relative to this file's directory.
    command: %s
%s
    # soaklab waits until this path answers 2xx before it sends load.
    ready: {path: /, timeout: 10s}
    # A Prometheus endpoint, if your program has one (goroutines, heap):
    # metrics: /metrics
    # Excluded from the drift analysis (default 10%% of the cell's duration):
    # warmup: 5s

# What soaklab's load generator sends to server targets.
workload:
  timeout: 5s
  requests:
    - {label: root, method: GET, path: /, weight: 1}

# Each axis is a list; every combination is a cell.
axes:
  ram: [256MiB]      # cgroup memory limit
  rps: [50]          # requests per second (open model)
  tasks: [8]         # at most this many requests in flight
  duration: [1m]     # how long each cell runs; soaks run for hours

# When a cell is NO-GO, NEUTRAL or GO. Left out: soaklab's defaults.
judge:
  max_error_rate: 0.01   # share of failed requests
  horizon: 24h           # NO-GO if the memory limit is projected to be hit within this
`
