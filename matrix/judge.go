package matrix

import "time"

// Keys of `judge:`, as Judge.Set records them (KeyMaxDriftPct is in
// types.go: the scorecard has it too).
const (
	KeyMaxSlopeMiBPerH = "max_slope_mib_per_h"
	KeyHorizon         = "horizon"
	KeyMaxErrorRate    = "max_error_rate"
	KeyMinRateRatio    = "min_rate_ratio"
	KeyPeakWarnRatio   = "peak_warn_ratio"
	KeyMaxCV           = "max_cv"
	KeyMaxP99          = "max_p99"
	KeyMaxThrash       = "max_thrash"
	KeyMinSamples      = "min_samples"
	// KeyEarlyStop is no threshold: it says whether a cell whose NO-GO is
	// already certain stops before its planned end (EarlyStop).
	KeyEarlyStop = "early_stop"
)

// EarlyStop says what happens to a cell once a hard criterion's failure is
// certain before its planned end (reports/judge's Watch decides when).
type EarlyStop string

// Early-stop modes.
const (
	// EarlyStopOn (the default, also written `early_stop: true`) stops the
	// cell as NO-GO. A GO is never decided early.
	EarlyStopOn EarlyStop = "on"
	// EarlyStopOff (`early_stop: false`) runs every cell to its end.
	EarlyStopOff EarlyStop = "off"
	// EarlyStopRecord (`early_stop: record`) judges as EarlyStopOn would
	// and records when the cell would have stopped, but runs it to its
	// end: what early stopping saves, measured against full-length verdicts.
	EarlyStopRecord EarlyStop = "record"
	// Goroutine criterion.
	KeyMaxGoroutines          = "max_goroutines"
	KeyMaxGoroutineGrowthPerH = "max_goroutine_growth_per_h"
)

// Judge holds the criteria for single cells. A zero field whose key is not
// in Set takes the default of reports/judge (DefaultJudge); a key in Set is
// honoured as written, zero included (max_error_rate: 0 allows no failed
// request, horizon: 0 turns the time-to-limit projection off).
type Judge struct {
	MaxDriftPct     float64       // drift between first and last quarter after warm-up
	MaxSlopeMiBPerH float64       // slope ceiling; a significant slope above it is a leak
	Horizon         time.Duration // NO-GO when the limit is projected to be hit within it; set 0 = no projection
	MaxErrorRate    float64       // share of failed requests; set 0 = none allowed
	MinRateRatio    float64       // achieved / requested rate; set 0 = no requirement
	PeakWarnRatio   float64       // NEUTRAL when peak > this share of the limit; never 0 from a matrix
	MaxCV           float64       // NEUTRAL when throughput CV across windows exceeds it; never 0 from a matrix
	MaxP99          time.Duration // NEUTRAL when p99 exceeds it; 0 = no budget
	MaxThrash       time.Duration // NO-GO when the cgroup thrashed at its limit longer; set 0 = not at all
	MinSamples      int           // fewer measured samples: UNKNOWN
	// EarlyStop is the early-stop mode; "" is EarlyStopOn.
	EarlyStop EarlyStop
	// MaxGoroutines is a ceiling on the target's go_goroutines; 0 = none.
	MaxGoroutines int
	// MaxGoroutineGrowthPerH is the goroutine growth floor; set 0 = any
	// significant growth counts.
	MaxGoroutineGrowthPerH float64

	// Set holds the keys the matrix gave (KeyMaxErrorRate, ...). Judges
	// written as Go literals may leave it nil: every zero field then takes
	// its default.
	Set map[string]bool
}

// IsSet reports whether the matrix gave key explicitly.
func (j Judge) IsSet(key string) bool { return j.Set[key] }

// JudgeKey is one key of `judge:`: the field of Judge that holds it and how
// its value is read and checked. What the key means and its default belong
// to the criterion that reads it (reports/judge's Criteria).
type JudgeKey struct {
	Key string
	// Type spells the accepted values in docs/matrix.md.
	Type string
	// Field returns the address of the key's field in j: a *float64, a
	// *time.Duration or an *int.
	Field func(j *Judge) any
	// Lo and Hi bound a number (Hi) or a whole number (Lo).
	Lo, Hi float64
	// ZeroRefused, when set, is why an explicit 0 is refused: it would make
	// the criterion meaningless. A zero field then always takes the default.
	ZeroRefused string
}

// JudgeKeys are the keys of `judge:`, in the order they are checked and
// documented. A new key needs a field in Judge, a constant and a row here.
var JudgeKeys = []JudgeKey{
	{Key: KeyMaxDriftPct, Type: "≥ 0", Field: func(j *Judge) any { return &j.MaxDriftPct }, Hi: 1e6},
	{Key: KeyMaxSlopeMiBPerH, Type: "≥ 0", Field: func(j *Judge) any { return &j.MaxSlopeMiBPerH }, Hi: 1e9},
	{Key: KeyHorizon, Type: "duration", Field: func(j *Judge) any { return &j.Horizon }},
	{Key: KeyMaxErrorRate, Type: "0..1", Field: func(j *Judge) any { return &j.MaxErrorRate }, Hi: 1},
	{Key: KeyMinRateRatio, Type: "0..1", Field: func(j *Judge) any { return &j.MinRateRatio }, Hi: 1},
	{Key: KeyPeakWarnRatio, Type: "(0, 1]", Field: func(j *Judge) any { return &j.PeakWarnRatio }, Hi: 1,
		ZeroRefused: "at 0 every cell with a memory limit would be NEUTRAL"},
	{Key: KeyMaxCV, Type: "> 0, percent", Field: func(j *Judge) any { return &j.MaxCV }, Hi: 1e6,
		ZeroRefused: "no throughput is perfectly steady, so at 0 every cell would be NEUTRAL; to ignore throughput variation give a large value such as 1000"},
	{Key: KeyMaxP99, Type: "duration", Field: func(j *Judge) any { return &j.MaxP99 }},
	{Key: KeyMaxThrash, Type: "duration", Field: func(j *Judge) any { return &j.MaxThrash }},
	{Key: KeyMinSamples, Type: "int ≥ 0", Field: func(j *Judge) any { return &j.MinSamples }},
	{Key: KeyMaxGoroutines, Type: "int ≥ 0", Field: func(j *Judge) any { return &j.MaxGoroutines }},
	{Key: KeyMaxGoroutineGrowthPerH, Type: "≥ 0", Field: func(j *Judge) any { return &j.MaxGoroutineGrowthPerH }, Hi: 1e9},
}

// JudgeKeyOf returns the row of JudgeKeys for key.
func JudgeKeyOf(key string) (JudgeKey, bool) {
	for _, k := range JudgeKeys {
		if k.Key == key {
			return k, true
		}
	}
	return JudgeKey{}, false
}

// judgeKeyNames lists the keys `judge:` accepts.
func judgeKeyNames() []string {
	out := make([]string, len(JudgeKeys), len(JudgeKeys)+1)
	for i, k := range JudgeKeys {
		out[i] = k.Key
	}
	return append(out, KeyEarlyStop)
}

// Mode is the early-stop mode with its default applied.
func (e EarlyStop) Mode() EarlyStop {
	if e == "" {
		return EarlyStopOn
	}
	return e
}
