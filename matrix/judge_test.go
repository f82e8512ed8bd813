package matrix

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// judgeMatrix is a valid matrix whose last lines are the given judge and
// compare blocks.
func judgeMatrix(blocks string) string {
	return `targets: {a: {build: ./a}}
axes:
  variant: [x, y]
` + blocks
}

// TestJudgeSet: every key a judge block gives is recorded in Set, zeros
// included, so reports can tell an explicit 0 from a key left out.
func TestJudgeSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		judge string
		want  Judge
	}{
		// no judge block: nothing set, every field zero
		{"absent", "", Judge{}},
		// an empty block sets nothing either
		{"empty", "judge: {}\n", Judge{}},
		// the headline case: no errors allowed
		{"max_error_rate 0", "judge: {max_error_rate: 0}\n",
			Judge{Set: map[string]bool{KeyMaxErrorRate: true}}},
		// a spelled-out zero is still zero
		{"max_error_rate 0.0", "judge: {max_error_rate: 0.0}\n",
			Judge{Set: map[string]bool{KeyMaxErrorRate: true}}},
		// every key that may be 0, at 0
		{"all zeros", "judge: {max_drift_pct: 0, max_slope_mib_per_h: 0, horizon: 0s, max_error_rate: 0, min_rate_ratio: 0, max_p99: 0s, min_samples: 0}\n",
			Judge{Set: map[string]bool{
				KeyMaxDriftPct: true, KeyMaxSlopeMiBPerH: true, KeyHorizon: true, KeyMaxErrorRate: true,
				KeyMinRateRatio: true, KeyMaxP99: true, KeyMinSamples: true,
			}}},
		// non-zero values are set and kept
		{"values", "judge: {max_slope_mib_per_h: 2.5, horizon: 7d, peak_warn_ratio: 0.8, max_cv: 15, min_samples: 30}\n",
			Judge{MaxSlopeMiBPerH: 2.5, Horizon: 7 * 24 * time.Hour, PeakWarnRatio: 0.8, MaxCV: 15, MinSamples: 30,
				Set: map[string]bool{KeyMaxSlopeMiBPerH: true, KeyHorizon: true, KeyPeakWarnRatio: true, KeyMaxCV: true, KeyMinSamples: true}}},
		// a key brought in by a merge key counts as given
		{"merged", "judge:\n  <<: {max_error_rate: 0}\n  max_drift_pct: 3\n",
			Judge{MaxDriftPct: 3, Set: map[string]bool{KeyMaxErrorRate: true, KeyMaxDriftPct: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse("m.yaml", []byte(judgeMatrix(tt.judge)))
			require.NoError(t, err)
			require.Equal(t, tt.want, m.Judge)
			for k := range tt.want.Set {
				require.True(t, m.Judge.IsSet(k), k)
			}
			require.False(t, m.Judge.IsSet("no_such_key"))
		})
	}
}

// TestScorecardSet: a scorecard records its given keys the same way.
func TestScorecardSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		scorecard string
		want      Scorecard
	}{
		{"absent", "", Scorecard{}},
		// no throughput loss allowed
		{"max_throughput_loss_pct 0", "scorecard: {max_throughput_loss_pct: 0}",
			Scorecard{Set: map[string]bool{KeyMaxThroughputLossPct: true}}},
		// 0 is also the default drop, but given explicitly it is recorded
		{"min_rss_drop_pct 0", "scorecard: {min_rss_drop_pct: 0, alpha: 0.01}",
			Scorecard{Alpha: 0.01, Set: map[string]bool{KeyMinRSSDropPct: true, KeyAlpha: true}}},
		{"values", "scorecard: {min_rss_drop_pct: 30, max_throughput_loss_pct: 5, max_drift_pct: 2}",
			Scorecard{MinRSSDropPct: 30, MaxThroughputLossPct: 5, MaxDriftPct: 2,
				Set: map[string]bool{KeyMinRSSDropPct: true, KeyMaxThroughputLossPct: true, KeyMaxDriftPct: true}}},
		// no CPU rise allowed, a CV gate
		{"cpu and cv", "scorecard: {max_cpu_per_op_rise_pct: 0, max_cv_pct: 2}",
			Scorecard{MaxCVPct: 2, Set: map[string]bool{KeyMaxCPUPerOpRisePct: true, KeyMaxCVPct: true}}},
		// ratio rows: a soft rise limit, a hard budget, both on one row
		{"ratios", "scorecard: {ratios: [{name: frees/op, ratio: [frees_total, ops], max_rise_pct: 10}, " +
			"{name: cpu, ratio: [cpu_seconds, requests], max: 0.002, hard: true}, {name: cs, ratio: [ctx_switches, ops], max_rise_pct: 0, max: 5}]}",
			Scorecard{Ratios: []Ratio{
				{Name: "frees/op", Num: "frees_total", Den: "ops", MaxRisePct: 10, Set: map[string]bool{KeyMaxRisePct: true}},
				{Name: "cpu", Num: "cpu_seconds", Den: "requests", Max: 0.002, Hard: true, Set: map[string]bool{KeyMax: true}},
				{Name: "cs", Num: "ctx_switches", Den: "ops", Max: 5, Set: map[string]bool{KeyMaxRisePct: true, KeyMax: true}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := "{name: ab, axis: variant, baseline: x, candidate: y}"
			if tt.scorecard != "" {
				body = "{name: ab, axis: variant, baseline: x, candidate: y, " + tt.scorecard + "}"
			}
			m, err := Parse("m.yaml", []byte(judgeMatrix("compare:\n  - "+body+"\n")))
			require.NoError(t, err)
			require.Len(t, m.Compare, 1)
			require.Equal(t, tt.want, m.Compare[0].Scorecard)
		})
	}
}

// TestNonsenseZeros: a zero that would make a criterion meaningless is
// refused with its position; its key is not recorded.
func TestNonsenseZeros(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, blocks, want string
	}{
		{"peak_warn_ratio", "judge: {peak_warn_ratio: 0}\n",
			"m.yaml:4:26: judge.peak_warn_ratio: must be greater than 0, got 0: at 0 every cell with a memory limit would be NEUTRAL"},
		{"max_cv", "judge: {max_cv: 0.0}\n",
			"m.yaml:4:17: judge.max_cv: must be greater than 0, got 0.0: no throughput is perfectly steady"},
		{"alpha", "compare:\n  - {name: ab, axis: variant, baseline: x, candidate: y, scorecard: {alpha: 0}}\n",
			"m.yaml:5:77: compare[0].scorecard.alpha: must be strictly between 0 and 1, got 0"},
		{"alpha 1", "compare:\n  - {name: ab, axis: variant, baseline: x, candidate: y, scorecard: {alpha: 1}}\n",
			"m.yaml:5:77: compare[0].scorecard.alpha: must be strictly between 0 and 1, got 1"},
		{"scorecard drift", "compare:\n  - {name: ab, axis: variant, baseline: x, candidate: y, scorecard: {max_drift_pct: 0}}\n",
			"m.yaml:5:85: compare[0].scorecard.max_drift_pct: must be greater than 0, got 0: a flat candidate's drift is noise"},
		// negative stays a range error
		{"negative", "judge: {peak_warn_ratio: -0.5}\n",
			"m.yaml:4:26: judge.peak_warn_ratio: must be between 0 and 1, got -0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("m.yaml", []byte(judgeMatrix(tt.blocks)))
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestJudgeKeysCoverJudge: every field of Judge but Set is the field of
// exactly one row of JudgeKeys, with a type and a value the decoder reads.
func TestJudgeKeysCoverJudge(t *testing.T) {
	t.Parallel()
	var j Judge
	fields := map[uintptr]string{}
	v := reflect.ValueOf(&j).Elem()
	for i := range v.NumField() {
		// Set records the keys given; EarlyStop is a mode, not a
		// threshold, decoded on its own (TestEarlyStopKey).
		if name := v.Type().Field(i).Name; name != "Set" && name != "EarlyStop" {
			fields[v.Field(i).Addr().Pointer()] = name
		}
	}
	seen := map[string]string{}
	for _, k := range JudgeKeys {
		p := reflect.ValueOf(k.Field(&j))
		require.Equal(t, reflect.Pointer, p.Kind(), k.Key)
		switch p.Interface().(type) {
		case *float64, *time.Duration, *int:
		default:
			t.Errorf("%s: field of type %s, the decoder reads float64, time.Duration and int", k.Key, p.Type())
		}
		name, ok := fields[p.Pointer()]
		require.True(t, ok, "%s: its field is not a field of Judge", k.Key)
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s share the field %s", k.Key, other, name)
		}
		seen[name] = k.Key
		require.NotEmpty(t, k.Type, k.Key)
		got, ok := JudgeKeyOf(k.Key)
		require.True(t, ok, k.Key)
		require.Equal(t, k.Type, got.Type)
	}
	for _, name := range fields {
		if _, ok := seen[name]; !ok {
			t.Errorf("Judge.%s has no row in JudgeKeys", name)
		}
	}
}

func TestEarlyStopKey(t *testing.T) {
	t.Parallel()
	base := "targets:\n  t: {command: [x], kind: workload}\naxes: {duration: [1m, 2m]}\n"
	cases := []struct {
		name, yaml string
		judge      EarlyStop // judge.early_stop as decoded
		compare    EarlyStop // compare[0].early_stop as decoded
		err        string
	}{
		// Left out: "" (on for cells, off for compared pairs).
		{"absent", base, "", "", ""},
		{"true", base + "judge: {early_stop: true}\n", EarlyStopOn, "", ""},
		{"false", base + "judge: {early_stop: false}\n", EarlyStopOff, "", ""},
		{"record", base + "judge: {early_stop: record}\n", EarlyStopRecord, "", ""},
		{"compared pair", base + "compare: [{name: c, axis: duration, baseline: 1m, candidate: 2m, early_stop: true}]\n", "", EarlyStopOn, ""},
		// Anything else is refused with its position.
		{"bad word", base + "judge: {early_stop: sometimes}\n", "", "", `4:21: judge.early_stop: expected true, false or record, got "sometimes"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse("m.yaml", []byte(c.yaml))
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.judge, m.Judge.EarlyStop)
			if len(m.Compare) > 0 {
				require.Equal(t, c.compare, m.Compare[0].EarlyStop)
			}
		})
	}
}
