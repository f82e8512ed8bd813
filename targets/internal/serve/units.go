package serve

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrSize and ErrRate are wrapped with the offending text when a size or a
// rate cannot be parsed.
var (
	ErrSize = errors.New("bad size")
	ErrRate = errors.New("bad rate")
)

// sizeUnits maps a case-insensitive suffix to its multiplier. Binary (KiB)
// and decimal (KB) units are both accepted; a bare number is bytes.
var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// ParseSize reads "64KiB", "1.5MB", "2GiB" or "4096" as a number of bytes.
// Negative sizes are refused.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*mult > 1<<62 {
		return 0, fmt.Errorf("%w: %q (want e.g. 64KiB, 1MB, 2GiB)", ErrSize, s)
	}
	return int64(v * mult), nil
}

// rateUnits maps the part after "/" to its length.
var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// ParseRate reads a byte rate such as "64KiB/s" or "1MiB/min" and returns
// bytes per second. A size without "/unit" is per second.
func ParseRate(s string) (float64, error) {
	size, per, err := splitRate(s)
	if err != nil {
		return 0, err
	}
	n, err := ParseSize(size)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrRate, s, err)
	}
	return float64(n) / per.Seconds(), nil
}

// ParseCountRate reads a count rate such as "10/min" or "5/s" (or a bare
// "5", per second) and returns events per second.
func ParseCountRate(s string) (float64, error) {
	num, per, err := splitRate(s)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: %q (want e.g. 10/min)", ErrRate, s)
	}
	return v / per.Seconds(), nil
}

func splitRate(s string) (string, time.Duration, error) {
	amount, unit, found := strings.Cut(strings.TrimSpace(s), "/")
	if !found {
		return amount, time.Second, nil
	}
	per, ok := rateUnits[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return "", 0, fmt.Errorf("%w: %q: unit %q is not s, min or h", ErrRate, s, unit)
	}
	return amount, per, nil
}
