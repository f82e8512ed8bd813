package matrix

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// sizeUnits are the size suffixes ParseSize accepts, by lower-case spelling.
// Binary units are powers of 1024, decimal units powers of 1000.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30, "ti": 1 << 40,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12,
}

// canonicalUnits is the order FormatSize tries, largest first; a binary
// unit comes before the decimal unit of the same prefix.
var canonicalUnits = []struct {
	name string
	n    int64
}{
	{"TiB", 1 << 40}, {"TB", 1e12}, {"GiB", 1 << 30}, {"GB", 1e9},
	{"MiB", 1 << 20}, {"MB", 1e6}, {"KiB", 1 << 10}, {"KB", 1e3},
}

// ParseSize reads a byte size: a non-negative number, optionally with a
// fraction, followed by an optional unit: B, KiB/MiB/GiB/TiB (powers of
// 1024, also spelled Ki, Mi, Gi, Ti), KB/MB/GB/TB (powers of 1000, also K,
// M, G, T). Units are case-insensitive and may follow a space. The result
// must be a whole number of bytes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == '_') {
		i++
	}
	num, unit := strings.ReplaceAll(t[:i], "_", ""), strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("%w: %q: expected a number with an optional unit (B, KiB, MiB, GiB, KB, MB, GB)", ErrSize, s)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("%w: %q: bad number %q", ErrSize, s, num)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, fmt.Errorf("%w: %q is not a whole number of bytes", ErrSize, s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("%w: %q is too large", ErrSize, s)
	}
	return r.Num().Int64(), nil
}

// FormatSize writes n in its canonical spelling: the largest unit that
// divides it exactly, binary before decimal ("128MiB", "1GiB", "30KB"), or
// plain bytes with a B ("1000B" is "1KB", "1023B" stays). Negative sizes
// keep their sign.
func FormatSize(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return strconv.FormatInt(n, 10) + "B"
		}
		return "-" + FormatSize(-n)
	}
	if n == 0 {
		return "0B"
	}
	for _, u := range canonicalUnits {
		if n%u.n == 0 {
			return strconv.FormatInt(n/u.n, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// ParseDuration reads a duration in Go syntax ("1h30m", "500ms", "2.5s")
// with one more unit, "d" for 24-hour days: "1d12h", "7d". A bare "0" is
// zero; any other number needs a unit.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if !strings.ContainsRune(t, 'd') {
		d, err := time.ParseDuration(t)
		if err != nil {
			return 0, fmt.Errorf("%w: %q: expected a number with a unit (ms, s, m, h, d), e.g. 30s or 1d12h", ErrDuration, s)
		}
		return d, nil
	}
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	var total time.Duration
	for t != "" {
		i := 0
		for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
			i++
		}
		j := i
		for j < len(t) && !(t[j] >= '0' && t[j] <= '9' || t[j] == '.') {
			j++
		}
		num, unit := t[:i], t[i:j]
		t = t[j:]
		var part time.Duration
		var err error
		if unit == "d" {
			part, err = time.ParseDuration(num + "h")
			if err == nil {
				if part > math.MaxInt64/24 || part < 0 {
					err = fmt.Errorf("overflow")
				}
				part *= 24
			}
		} else {
			part, err = time.ParseDuration(num + unit)
		}
		if err != nil || num == "" || total > math.MaxInt64-part {
			return 0, fmt.Errorf("%w: %q: expected a number with a unit (ms, s, m, h, d), e.g. 30s or 1d12h", ErrDuration, s)
		}
		total += part
	}
	if neg {
		total = -total
	}
	return total, nil
}

// FormatDuration writes d in its canonical spelling: Go syntax without
// zero components, "30s", "1m", "1h30m", "36h", "1m0.5s", "500ms".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			return d.String()
		}
		return "-" + FormatDuration(-d)
	}
	if d < time.Second {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(d.String())
	}
	return b.String()
}
