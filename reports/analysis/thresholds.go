package analysis

import (
	"math"

	"github.com/soaklab/soaklab/harness/results"
)

// Level is a threshold on one series: an episode starts at a sample at or
// above Above and ends at the first sample below Leave (Leave <= Above:
// the hysteresis keeps noise at the edge one episode).
type Level struct {
	// Series is "rss", "anon", "working_set", "usage" or a Prometheus
	// series of Sample.Metrics.
	Series       string
	Above, Leave float64
}

// levelValue is a sample's value of series; false when it lacks it.
func levelValue(s *results.Sample, series string) (float64, bool) {
	var v int64
	switch series {
	case "rss":
		v = s.RSS
	case "anon":
		v = s.Anon
	case "working_set":
		v = s.WorkingSet
	case "usage":
		v = s.Usage
	default:
		x, ok := s.Metrics[series]
		return x, ok && !math.IsNaN(x)
	}
	return float64(v), v > 0
}

// thresholdEpisodes finds the episodes of each level over all samples.
func thresholdEpisodes(samples []results.Sample, levels []Level) []results.ThresholdEpisodes {
	var out []results.ThresholdEpisodes
	for _, l := range levels {
		te := results.ThresholdEpisodes{Series: l.Series, Above: l.Above, Leave: l.Leave, Episodes: []results.ThresholdEpisode{}}
		var cur *results.ThresholdEpisode
		for i := range samples {
			v, ok := levelValue(&samples[i], l.Series)
			if !ok {
				continue
			}
			if te.Samples == 0 || v > te.Peak {
				te.Peak = v
			}
			te.Samples++
			t := samples[i].T
			switch {
			case cur == nil && v >= l.Above:
				te.Episodes = append(te.Episodes, results.ThresholdEpisode{CrossedS: t, Peak: v})
				cur = &te.Episodes[len(te.Episodes)-1]
			case cur != nil && v < l.Leave:
				cur.BackS = results.Ptr(t)
				cur = nil
			case cur != nil:
				cur.Peak = max(cur.Peak, v)
			}
		}
		out = append(out, te)
	}
	return out
}
