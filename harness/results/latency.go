package results

// LatencyBounds are the upper bounds, in seconds, of the request latency
// buckets the driver counts each interval: the buckets of the
// soaklab_request_duration_seconds histogram that --listen serves, from
// 1 ms to 10 s (Prometheus's default buckets with 1 ms added).
var LatencyBounds = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// LatencyCounts is one interval's requests counted by corrected latency
// (from the intended send time): Buckets[i] holds those above
// LatencyBounds[i-1] and at most LatencyBounds[i] (not cumulative); the
// last bucket holds those above every bound. Sum is their total latency.
type LatencyCounts struct {
	Buckets [len(LatencyBounds) + 1]int64
	Sum     float64 // seconds
}

// Add counts one request of the given latency in seconds.
func (l *LatencyCounts) Add(seconds float64) {
	i := 0
	for i < len(LatencyBounds) && seconds > LatencyBounds[i] {
		i++
	}
	l.Buckets[i]++
	l.Sum += seconds
}

// Count is the number of requests counted.
func (l *LatencyCounts) Count() int64 {
	var n int64
	for _, b := range l.Buckets {
		n += b
	}
	return n
}
