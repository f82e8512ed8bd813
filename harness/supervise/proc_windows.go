package supervise

import "os/exec"

// signalOf: Windows ends processes without signals.
func signalOf(*exec.ExitError) string { return "" }
