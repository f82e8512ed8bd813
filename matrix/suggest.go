package matrix

import (
	"fmt"
	"strings"
)

// EditDistance is the optimal-string-alignment edit distance between a and
// b: insertions, deletions, substitutions and swaps of two adjacent letters
// each cost one, so "rsp" is one edit away from "rps". The command line
// suggests commands with it too.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to s, or "" when none is near
// enough to be a plausible typo: one that s (of four letters or more)
// begins, or one at most two edits away and fewer than the length of the
// shorter word, ignoring case.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	ls := strings.ToLower(s)
	if len(ls) >= 4 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), ls) {
				return c // "max_drift" for "max_drift_pct"
			}
		}
	}
	for _, c := range candidates {
		d := EditDistance(ls, strings.ToLower(c))
		if d < bestD && d < min(len([]rune(s)), len([]rune(c))) {
			best, bestD = c, d
		}
	}
	return best
}

// didYouMean formats the hint for an unknown word: a suggestion when one is
// close, else the list of what is allowed.
func didYouMean(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return "expected one of: " + strings.Join(candidates, ", ")
}
