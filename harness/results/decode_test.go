package results

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// decodeSample gives what json.Unmarshal gives: for what SampleWriter
// writes, and for lines its fast path leaves to encoding/json.
func TestDecodeSampleMatchesJSON(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var lines []string
	for i := range 200 {
		s := Sample{T: float64(i) + r.Float64(), At: time.Date(2026, 11, 20, 2, 0, i%60, r.IntN(1e9), time.UTC),
			RSS: r.Int64N(1 << 40), WorkingSet: r.Int64N(1 << 30), DriverRSS: r.Int64N(1 << 30), Threads: r.Int64N(100),
			RPS: r.Float64() * 1e5, P50: r.Float64(), P99: r.NormFloat64() * 1e-7, Requests: r.Int64N(1e6), Errors: r.Int64N(3), Bytes: r.Int64N(1e9)}
		if i%3 == 0 {
			s.Phase = "warmup"
			s.Metrics = map[string]float64{"go_goroutines": float64(r.IntN(1000)), "x_bytes": r.Float64() * 1e12}
		}
		if i%7 == 0 {
			s.Metrics = map[string]float64{}
		}
		if i%5 == 0 { // cgroup v2's memory pressure
			s.Pressure = &MemPressure{SomeAvg10: r.Float64() * 100, FullAvg10: r.Float64(), SomeUs: r.Int64N(1 << 40), FullUs: r.Int64N(1 << 30)}
		}
		b, err := json.Marshal(&s)
		require.NoError(t, err)
		lines = append(lines, string(b))
	}
	lines = append(lines,
		`{}`,
		`{ "t" : 1.5 , "rss" : 10 }`,                       // spaces
		`{"t":1,"phase":"warm\"up"}`,                       // an escape: left to encoding/json
		`{"t":1,"RSS":12}`,                                 // a key in other case: encoding/json matches it
		`{"t":1,"rss":null}`,                               // null
		`{"t":1,"unknown":[1,2],"rss":5}`,                  // an unknown key
		`{"t":1e3,"rss":7,"rss":8}`,                        // exponent, duplicate key (last wins)
		`{"t":1,"metrics":{"a":1,"a":2}}`,                  // duplicate metric
		`{"t":1,"at":"2026-11-20T02:00:00+01:00"}`,         // an offset
		`{"t":1,"mem_pressure":{}}`,                        // an empty pressure object
		`{"t":1,"mem_pressure":null}`,                      // null pressure
		`{"t":1,"mem_pressure":{"full_total_us":5,"x":1}}`, // an unknown pressure key
	)
	for _, line := range lines {
		var want, got Sample
		require.NoError(t, json.Unmarshal([]byte(line), &want), line)
		require.NoError(t, decodeSample([]byte(line), &got), line)
		require.True(t, want.At.Equal(got.At), line)
		want.At, got.At = time.Time{}, time.Time{}
		require.Equal(t, want, got, line)
	}
	// what encoding/json refuses is refused
	for _, bad := range []string{`{"t":"x"}`, `{"t":1`, `{"rss":1.5}`, `[]`} {
		var s Sample
		require.Error(t, decodeSample([]byte(bad), &s), bad)
	}
}

// Every field SampleWriter writes takes the fast path: a field left to
// encoding/json would make every line of a real run several times slower
// to read (the cgroup's unreclaimable memory once did).
func TestDecodeSampleFastPathCoversEveryField(t *testing.T) {
	t.Parallel()
	var s Sample
	v := reflect.ValueOf(&s).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Tag.Get("json") == "-" {
			continue
		}
		switch f.Kind() {
		case reflect.Int64:
			f.SetInt(int64(7 + i))
		case reflect.Float64:
			f.SetFloat(1.5 + float64(i))
		case reflect.String:
			f.SetString("warmup")
		}
	}
	s.At = time.Date(2026, 11, 20, 2, 0, 0, 5, time.UTC)
	s.Pressure = &MemPressure{SomeAvg10: 1, FullAvg10: 2, SomeUs: 3, FullUs: 4}
	s.Metrics = map[string]float64{"go_goroutines": 40}
	line, err := json.Marshal(&s)
	require.NoError(t, err)
	var got Sample
	require.True(t, fastSample(&scanner{b: line, names: map[string]string{}}, &got), "a field the fast path does not read: %s", line)
	got.At, s.At = time.Time{}, time.Time{}
	require.Equal(t, s, got)
}

func BenchmarkDecodeSample(b *testing.B) {
	s := Sample{T: 12345, At: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), RSS: 123 << 20, WorkingSet: 130 << 20, Usage: 140 << 20,
		Anon: 120 << 20, File: 20 << 20, Unreclaimable: 121 << 20, Shmem: 1 << 20, Kernel: 3 << 20, Sock: 1 << 16,
		DriverRSS: 30 << 20, Threads: 12, Requests: 500, RPS: 499.7, P50: 2.21, P99: 11.3, P99Raw: 8.1,
		Metrics: map[string]float64{"go_goroutines": 40, "go_memstats_heap_inuse_bytes": 1.2e8}}
	line, _ := json.Marshal(&s)
	b.Run("fast", func(b *testing.B) {
		var out Sample
		var d sampleDecoder
		for b.Loop() {
			_ = d.decode(line, &out)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var out Sample
		for b.Loop() {
			out = Sample{}
			_ = json.Unmarshal(line, &out)
		}
	})
}
