// Package downsample reduces long series to a bounded number of points
// while keeping what a reader of a memory chart looks for: peaks, troughs
// and where they happened. MinMax reduces one series; Columns reduces many
// series that share one x array, keeping them aligned, as an interactive
// chart needs; LTTB keeps a series' visual shape for line charts whose
// extremes matter less.
//
// It is a leaf: it imports nothing of soaklab.
package downsample
