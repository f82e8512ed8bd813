// Package judge decides GO / NEUTRAL / NO-GO for soaklab cells, A/B
// comparisons and regressions against an earlier run. Every criterion
// yields a results.Reason whose status (PASS, FAIL, UNKNOWN) is read
// mechanically from where its confidence interval sits against its
// threshold; a FAIL of a hard criterion is NO-GO, all PASS is GO, anything
// else NEUTRAL with what was unmet or unknown listed.
package judge
