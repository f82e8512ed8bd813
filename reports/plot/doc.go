// Package plot draws soaklab's time-series charts with gonum/plot as inline
// SVG, deterministic byte for byte so reports can be golden-tested: axes
// scaled to the data with clean ticks (see Label), time in s, min or h, the
// legend outside the plot, long series downsampled (see
// reports/downsample). The interactive charts of the HTML report take their
// ranges from the same Chart (see Chart.Ranges).
//
// It knows nothing of results or verdicts.
package plot
