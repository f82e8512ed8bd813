package analysis

import "github.com/soaklab/soaklab/harness/results"

// JudgedValue is the memory series the leak and oom-risk criteria are
// fitted to for these samples (see fitValue), by name and reader, for a
// caller that screens a series before analysing it.
func JudgedValue(samples []results.Sample) (string, func(*results.Sample) int64) {
	src := fitValue(samples)
	return src.name, src.value
}
