package matrix

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"128MiB", 128 << 20, true},  // binary unit
		{"1GiB", 1 << 30, true},      // binary gigabyte
		{"30KB", 30000, true},        // decimal unit
		{"2 mb", 2e6, true},          // space and lower case
		{"1.5GiB", 3 << 29, true},    // fraction giving whole bytes
		{"512", 512, true},           // plain bytes
		{"64B", 64, true},            // explicit bytes
		{"256Mi", 256 << 20, true},   // Kubernetes spelling
		{"0.5B", 0, false},           // not a whole number of bytes
		{"-1MiB", 0, false},          // negative
		{"12XB", 0, false},           // unknown unit
		{"MiB", 0, false},            // no number
		{"99999999999TiB", 0, false}, // overflow
		{"1_000", 1000, true},        // digit separators
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, ErrSize, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestFormatSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int64
		want string
	}{
		{128 << 20, "128MiB"},   // binary preferred
		{1 << 30, "1GiB"},       // largest unit that divides
		{1536 << 20, "1536MiB"}, // 1.5GiB has no whole GiB
		{30000, "30KB"},         // decimal when binary does not divide
		{1000 << 20, "1000MiB"}, // not 1.048576GB
		{1023, "1023B"},         // plain bytes
		{0, "0B"},               // zero
		{-2048, "-2KiB"},        // sign kept
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, FormatSize(tt.in))
		back, err := ParseSize(tt.want)
		if tt.in >= 0 {
			require.NoError(t, err)
			require.Equal(t, tt.in, back, "round trip of %s", tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true},             // Go syntax
		{"1h30m", 90 * time.Minute, true},           // several parts
		{"1d12h", 36 * time.Hour, true},             // days
		{"7d", 7 * 24 * time.Hour, true},            // days alone
		{"1.5d", 36 * time.Hour, true},              // fractional days
		{"-1d", -24 * time.Hour, true},              // sign
		{"0", 0, true},                              // bare zero
		{"30", 0, false},                            // missing unit
		{"1dd", 0, false},                           // unit without number
		{"1w", 0, false},                            // unknown unit
		{"d", 0, false},                             // no number
		{"999999999d", 0, false},                    // overflow
		{"1d2x", 0, false},                          // bad unit after days
		{"2m30s500ms", 150*time.Second + 5e8, true}, // Go's mixed units
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, ErrDuration, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{30 * time.Second, "30s"},            // seconds
		{time.Minute, "1m"},                  // no "0s"
		{90 * time.Minute, "1h30m"},          // no "0s"
		{36 * time.Hour, "36h"},              // hours, not days (Go form)
		{time.Hour + time.Second, "1h1s"},    // zero minutes left out
		{500 * time.Millisecond, "500ms"},    // below a second
		{61500 * time.Millisecond, "1m1.5s"}, // fraction
		{0, "0s"},                            // zero
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, FormatDuration(tt.in))
		back, err := ParseDuration(tt.want)
		require.NoError(t, err)
		require.Equal(t, tt.in, back, "round trip of %s", tt.want)
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		axis, in, want string
		ok             bool
	}{
		{AxisRAM, "1024MiB", "1GiB", true},          // sizes to their largest unit
		{AxisRAM, "64", "", false},                  // forgotten unit
		{AxisDuration, "90s", "1m30s", true},        // Go form
		{AxisDuration, "1d", "24h", true},           // days become hours
		{AxisDuration, "0s", "", false},             // must be positive
		{AxisRPS, "1e3", "1000", true},              // plain number
		{AxisRPS, "0.50", "0.5", true},              // trailing zeros dropped
		{AxisRPS, "0", "", false},                   // must be positive
		{AxisTasks, "016", "16", true},              // leading zero
		{AxisTasks, "1.5", "", false},               // whole numbers only
		{AxisPercentiles, "HDR", "hdr", true},       // lower case
		{AxisPercentiles, "full", "", false},        // unknown mode
		{"variant", "Pooled", "Pooled", true},       // user axes keep their text
		{"env.GODEBUG", "a=1,b=2", "a=1,b=2", true}, // env axes too
	}
	for _, tt := range tests {
		got, err := Canonical(tt.axis, tt.in)
		if !tt.ok {
			require.Error(t, err, "%s=%s", tt.axis, tt.in)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	keys := []string{"targets", "axes", "name", "max_drift_pct", "rps", "ram"}
	tests := []struct{ in, want string }{
		{"tragets", "targets"},         // swapped letters
		{"axis", "axes"},               // one substitution
		{"rsp", "rps"},                 // transposition in a short word
		{"Name", "name"},               // case
		{"max_drift", "max_drift_pct"}, // prefix
		{"zzz", ""},                    // nothing close
		{"a", ""},                      // too short to guess
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, closest(tt.in, keys), tt.in)
	}
}
