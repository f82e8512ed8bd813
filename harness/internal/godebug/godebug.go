// Package godebug reads settings from a GODEBUG value as the Go runtime
// does: comma-separated key=value pairs, the last of a key winning.
package godebug

import "strings"

// Value returns the value godebug gives key, and whether it gives one.
func Value(godebug, key string) (string, bool) {
	var v string
	var ok bool
	for _, kv := range strings.Split(godebug, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(kv), "=")
		if found && k == key {
			v, ok = val, true
		}
	}
	return v, ok
}
