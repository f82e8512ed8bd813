//go:build ignore

// record runs a small Go program that churns garbage (and, with -leak,
// retains 1 MiB a minute), samples its VmRSS from /proc every interval and
// writes the samples as JSON lines: the real recorded series the judge's
// tests replay.
//
//	go run ./reports/judge/testdata/record.go -out reports/judge/testdata/steady.jsonl
//	go run ./reports/judge/testdata/record.go -leak -out reports/judge/testdata/leaky.jsonl
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soaklab/harness/results"
)

var sink [][]byte

func child(leak bool, d time.Duration) {
	var kept [][]byte
	end := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for time.Now().Before(end) {
		<-tick.C
		n++
		for i := 0; i < 16; i++ { // 16 × 8 KiB of garbage every 10 ms
			b := make([]byte, 8<<10)
			b[0] = byte(i)
			sink = append(sink[:0], b)
		}
		if leak && n%10 == 0 { // 1 MiB/min = 1,748 bytes every 100 ms
			b := make([]byte, (1<<20)/600)
			for j := range b {
				b[j] = byte(j)
			}
			kept = append(kept, b)
		}
	}
	fmt.Fprintln(os.Stderr, len(kept))
}

func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

func main() {
	leak := flag.Bool("leak", false, "retain 1 MiB a minute")
	out := flag.String("out", "", "output file")
	dur := flag.Duration("d", 3*time.Minute, "duration")
	every := flag.Duration("every", time.Second, "sampling interval")
	isChild := flag.Bool("child", false, "internal")
	flag.Parse()
	if *isChild {
		child(*leak, *dur)
		return
	}
	args := []string{"-child", "-d", dur.String()}
	if *leak {
		args = append(args, "-leak")
	}
	exe, _ := os.Executable()
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	w, err := results.CreateSamples(*out)
	if err != nil {
		panic(err)
	}
	start := time.Now()
	tick := time.NewTicker(*every)
	for range tick.C {
		rss, err := vmRSS(cmd.Process.Pid)
		if err != nil || time.Since(start) > *dur {
			break
		}
		now := time.Now()
		s := results.Sample{T: now.Sub(start).Seconds(), At: now.UTC(), RSS: rss}
		if err := w.Write(&s); err != nil {
			panic(err)
		}
	}
	tick.Stop()
	cmd.Wait()
	w.Close()
}
