package serve

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4096", 4096, true},         // a bare number is bytes
		{"64KiB", 64 << 10, true},    // binary units
		{"1.5MiB", 3 << 19, true},    // fractions
		{"2GiB", 2 << 30, true},      // gibibytes
		{"30KB", 30_000, true},       // decimal units
		{"2 MB", 2_000_000, true},    // a space before the unit
		{"1gb", 1_000_000_000, true}, // units are case-insensitive
		{"64k", 64 << 10, true},      // a short unit is binary
		{"", 0, false},               // empty
		{"-1MiB", 0, false},          // negative
		{"1TiB", 0, false},           // unknown unit
		{"lots", 0, false},           // not a number
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSize(tc.in)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
			if tc.ok {
				assert.Equal(t, tc.want, got)
			} else {
				assert.ErrorIs(t, err, ErrSize)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"64KiB/s", 64 << 10, true},             // per second
		{"1MiB/min", float64(1<<20) / 60, true}, // per minute
		{"3600KB/h", 1000, true},                // per hour, decimal unit
		{"1MiB", 1 << 20, true},                 // no unit: per second
		{"1MiB/day", 0, false},                  // unknown time unit
		{"fast/s", 0, false},                    // not a size
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRate(tc.in)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
			if tc.ok {
				assert.InDelta(t, tc.want, got, 1e-9)
			} else {
				assert.ErrorIs(t, err, ErrRate)
			}
		})
	}
}

func TestParseCountRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10/min", 10.0 / 60, true}, // per minute
		{"5/s", 5, true},            // per second
		{"2.5", 2.5, true},          // bare: per second
		{"-1/s", 0, false},          // negative
		{"ten/min", 0, false},       // not a number
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCountRate(tc.in)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
			if tc.ok {
				assert.InDelta(t, tc.want, got, 1e-9)
			}
		})
	}
}

func ExampleParseRate() {
	r, _ := ParseRate("1MiB/min")
	fmt.Printf("%.1f bytes/s\n", r)
	// Output: 17476.3 bytes/s
}
