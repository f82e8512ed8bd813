package judge

import (
	"math"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// noisy is a flat series on 10 MiB with 2 MiB of white noise: its
// detectability is bound by the slope's noise, not drift or growth.
func noisy(duration float64, seed uint64, leakPerMin float64) synth.Spec {
	return synth.Spec{Duration: duration, Base: 10 * M, Noise: 2 * M, Seed: seed, LeakPerMin: leakPerMin}
}

func detectCell(duration float64) *results.Cell {
	return &results.Cell{ID: "t", Target: "t", Kind: "workload", RAMLimit: 4 << 30, Duration: duration, Warmup: 10, Interval: 1, Outcome: results.Completed}
}

// The stated figure is what it says: leaks at the smallest detectable
// rate a flat cell reports are found in about 80 % of seeded cells, and
// leaks at half the margin above the floor far less often.
func TestDetectPower(t *testing.T) {
	t.Parallel()
	c := detectCell(300)
	var mins []float64
	for seed := range uint64(20) {
		r := analyzeFor(c, noisy(300, 1000+seed, 0))
		d := Detect(r, matrix.Judge{})
		if d == nil || d.Bound != "last half" {
			t.Fatalf("seed %d: detectability %+v, want bound by the last half's noise", seed, d)
		}
		mins = append(mins, d.MinLeakMiBPerH)
	}
	median := mins[len(mins)/2]
	hits := func(rate float64) float64 {
		n := 0
		for seed := range uint64(100) {
			_, rs, _ := Cell(c, noisy(300, seed+1, rate/60).Samples(), matrix.Judge{})
			if r, _ := reason(rs, "leak"); r.Status == results.Fail {
				n++
			}
		}
		return float64(n) / 100
	}
	floor := DefaultJudge.MaxSlopeMiBPerH
	at, below := hits(median*M), hits((floor+(median-floor)/2)*M)
	t.Logf("flat cells detect ≥ %.1f MiB/h: found in %.0f %% at that rate, %.0f %% at half the margin", median, at*100, below*100)
	if at < 0.65 || at > 0.95 {
		t.Errorf("leaks at the detectable %.1f MiB/h found in %.0f %% of cells, want ≈ 80 %%", median, at*100)
	}
	if below > at-0.2 {
		t.Errorf("half the margin found in %.0f %%, not clearly less than %.0f %%", below*100, at*100)
	}
}

// The slope interval's half-width shrinks as duration^-1.5 under white
// noise: four times longer, about eight times narrower; DetectableIn
// predicts the longer cell's figure and DurationToDetect inverts it.
func TestDetectScaling(t *testing.T) {
	t.Parallel()
	hw := func(duration float64) (float64, *results.Detectability, analysis.Result) {
		var s float64
		var d *results.Detectability
		var r analysis.Result
		for seed := range uint64(10) {
			r = analyzeFor(detectCell(duration), noisy(duration, 50+seed, 0))
			d = Detect(r, matrix.Judge{})
			s += d.HalfWidthMiBPerH
		}
		return s / 10, d, r
	}
	short, d, r := hw(130)
	long, _, _ := hw(490)
	ratio := short / long
	t.Logf("half-width %.1f MiB/h over 120 s, %.1f over 480 s: ratio %.1f (white noise: 8)", short, long, ratio)
	if ratio < 6 || ratio > 10 {
		t.Errorf("4× duration narrowed the slope interval %.1f×, want ≈ 8", ratio)
	}
	base := r.Fit.At(r.FitFrom)
	d.HalfWidthMiBPerH = short
	pred := DetectableIn(*d, 4*d.WindowS, base, matrix.Judge{})
	dl := *d
	dl.HalfWidthMiBPerH, dl.LateHalfWidthMiBPerH, dl.WindowS = long, long*d.LateHalfWidthMiBPerH/d.HalfWidthMiBPerH, 4*d.WindowS
	want, _ := minLeak(dl, dl.WindowS, base, WithDefaults(matrix.Judge{}))
	if math.Abs(pred-want)/want > 0.25 {
		t.Errorf("predicted %.1f MiB/h for 4× the window, measured %.1f", pred, want)
	}
	for _, rate := range []float64{20, 60, 200} {
		w := DurationToDetect(*d, rate, base, matrix.Judge{})
		if got := DetectableIn(*d, w, base, matrix.Judge{}); math.Abs(got-rate)/rate > 0.01 {
			t.Errorf("DurationToDetect(%v) = %.0f s, which detects %.1f", rate, w, got)
		}
	}
	if w := DurationToDetect(*d, DefaultJudge.MaxSlopeMiBPerH, base, matrix.Judge{}); !math.IsInf(w, 1) {
		t.Errorf("a leak at the floor detected in %.0f s, want never", w)
	}
}

// A cell's analysis stores its detectability and its leak reason says it.
func TestDetectStored(t *testing.T) {
	t.Parallel()
	_, rs, a := Cell(detectCell(300), noisy(300, 3, 0).Samples(), matrix.Judge{})
	if a.Detect == nil || a.Detect.MinLeakMiBPerH <= DefaultJudge.MaxSlopeMiBPerH || a.Detect.WindowS < 280 {
		t.Fatalf("stored detectability %+v", a.Detect)
	}
	r, _ := reason(rs, "leak")
	if want := "this cell detects leaks ≥ "; !strings.Contains(r.Message, want) {
		t.Errorf("leak reason %q lacks %q", r.Message, want)
	}
}
