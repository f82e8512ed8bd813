package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	ok := Config{BaseURL: "http://127.0.0.1:1", Rate: 10, Duration: time.Second}
	tests := []struct {
		name   string
		edit   func(*Config)
		opts   []Option
		target error
		field  string // the message names it
	}{
		{"valid", func(*Config) {}, nil, nil, ""},                                                             // defaults fill the rest
		{"localhost", func(c *Config) { c.BaseURL = "http://localhost:8080" }, nil, nil, ""},                  // loopback by name
		{"ipv6 loopback", func(c *Config) { c.BaseURL = "http://[::1]:8080" }, nil, nil, ""},                  // loopback v6
		{"remote host", func(c *Config) { c.BaseURL = "http://10.0.0.1:80" }, nil, ErrNotLoopback, "BaseURL"}, // never leaves loopback
		{"named host", func(c *Config) { c.BaseURL = "http://example.com" }, nil, ErrNotLoopback, "BaseURL"},  // names other than localhost refused
		{"https", func(c *Config) { c.BaseURL = "https://127.0.0.1:1" }, nil, ErrConfig, "BaseURL"},           // plain HTTP only
		{"negative tasks", func(c *Config) { c.Tasks = -1 }, nil, ErrConfig, "Tasks"},                         // in-flight cap
		{"no duration", func(c *Config) { c.Duration = 0 }, nil, ErrConfig, "Duration"},                       // runs are bounded
		{"ramp too long", func(c *Config) { c.Ramp = 2 * time.Second }, nil, ErrConfig, "Ramp"},               // ramp inside the run
		{"ramp at max rate", func(c *Config) { c.Rate = 0; c.Ramp = time.Millisecond }, nil, ErrConfig, "Ramp"},
		{"burst without pause", func(c *Config) { c.Burst = time.Second }, nil, ErrConfig, "Burst"},
		{"bursts at max rate", func(c *Config) { c.Rate = 0; c.Burst, c.Pause = time.Second, time.Second }, nil, ErrConfig, "needs a Rate"},
		{"bad mode", func(c *Config) { c.Mode = "full" }, nil, ErrConfig, "Mode"},                                 // four modes only
		{"negative weight", func(c *Config) { c.Mix = []Request{{Weight: -1}} }, nil, ErrConfig, "Mix[0].Weight"}, // weights >= 0
		{"relative path", func(c *Config) { c.Mix = []Request{{Path: "x"}} }, nil, ErrConfig, "Mix[0].Path"},      // paths are absolute
		{"bad sigfigs", func(*Config) {}, []Option{HistogramRange(time.Second, 9)}, ErrConfig, "HistogramRange"},  // hdr supports 1-5
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.edit(&cfg)
			d, err := New(cfg, tt.opts...)
			if tt.target == nil {
				require.NoError(t, err)
				assert.NotNil(t, d)
				return
			}
			require.ErrorIs(t, err, tt.target)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := New(Config{BaseURL: "http://127.0.0.1:1", Tasks: -1, Mode: "x"})
	require.Error(t, err)
	for _, field := range []string{"Tasks", "Duration", "Mode"} {
		assert.Contains(t, err.Error(), field)
	}
}
