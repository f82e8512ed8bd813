package live_test

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/live"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// The exporter is a runner.Observer: hand it to the runner next to the
// progress output and serve it on loopback for Prometheus to scrape.
func Example() {
	e := live.New()
	url, err := e.Serve("127.0.0.1:0") // "" means live.DefaultAddr
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	cell := matrix.Cell{ID: "steady/ram=128MiB", Target: "steady", Duration: time.Minute, RAM: 128 << 20}
	e.RunStarted(&results.Run{ID: "example"}, []matrix.Cell{cell})
	e.CellStarted(1, 1, cell)
	e.Sampled(cell, results.Sample{T: 1, WorkingSet: 32 << 20, RPS: 250})

	resp, err := http.Get(url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, m := range []string{"soaklab_cell_info{", "soaklab_target_working_set_bytes ", "soaklab_requests_per_second "} {
			if strings.HasPrefix(line, m) {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// soaklab_cell_info{cell="steady/ram=128MiB",target="steady"} 1
	// soaklab_requests_per_second 250
	// soaklab_target_working_set_bytes 3.3554432e+07
}
