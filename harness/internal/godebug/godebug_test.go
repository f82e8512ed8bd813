package godebug

import "testing"

func TestValue(t *testing.T) {
	tests := []struct {
		godebug, key string
		want         string
		ok           bool
	}{
		{"", "memprofilerate", "", false},
		{"memprofilerate=4096", "memprofilerate", "4096", true},
		{"gctrace=1, memprofilerate=1", "memprofilerate", "1", true},
		{"asyncpreemptoff=1,asyncpreemptoff=0", "asyncpreemptoff", "0", true},
		{"xasyncpreemptoff=1", "asyncpreemptoff", "", false},
		{"asyncpreemptoff", "asyncpreemptoff", "", false},
		{"madvdontneed=0", "memprofilerate", "", false},
	}
	for _, tt := range tests {
		got, ok := Value(tt.godebug, tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Value(%q, %q) = %q, %v; want %q, %v", tt.godebug, tt.key, got, ok, tt.want, tt.ok)
		}
	}
}
