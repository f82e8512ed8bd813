// Command drive runs soaklab's load driver once against a loopback URL and
// prints what it achieved; scripts/bench/bench.sh uses it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/load"
)

func main() {
	url := flag.String("url", "", "loopback base URL")
	rate := flag.Float64("rate", 0, "requests per second; 0 = max rate")
	tasks := flag.Int("tasks", 64, "requests in flight")
	dur := flag.Duration("duration", 10*time.Second, "run length")
	mode := flag.String("mode", "hdr", "percentile mode")
	every := flag.Duration("rss-every", 0, "print the driver's RSS and interval stats this often (0 = never)")
	prof := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	d, err := load.New(load.Config{BaseURL: *url, Rate: *rate, Tasks: *tasks, Duration: *dur, Mode: load.Mode(*mode)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *every > 0 {
		go report(d, *every)
	}
	out, err := d.Run(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("sent=%d errors=%d dropped=%d late=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f p99_raw_ms=%.3f\n",
		out.Sent, out.Errors, out.Dropped, out.Late, out.AchievedRPS,
		out.Corrected.P50, out.Corrected.P99, out.Uncorrected.P99)
}

// report prints the driver's own RSS and the load since the last report.
func report(d *load.Driver, every time.Duration) {
	begin := time.Now()
	for range time.Tick(every) {
		iv := d.Interval()
		fmt.Printf("t=%.0fs rss_kib=%d requests=%d rps=%.0f p99_ms=%.3f latency_mem=%d\n",
			time.Since(begin).Seconds(), rssKiB(), iv.Requests, iv.RPS, iv.P99, d.MemoryBytes())
	}
}

// rssKiB reads VmRSS from /proc/self/status.
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}
