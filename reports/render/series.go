package render

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/html"
)

// ChartSeries is the chart series of the cell whose samples file is
// samplesPath, reduced for buckets interactive buckets (0:
// html.DefaultLiveBuckets): the one cached beside the samples
// (results.ChartSeriesFile) when it was built by the same reduction from
// these very samples files, else one built from the samples and cached for
// the next report. A cache that is missing, damaged, built otherwise or
// older than the samples (a resumed cell appends to them) is never used;
// fresh says whether the cache was. A samples file that cannot be read
// whole is an error with the chart series of what was read, not cached.
func ChartSeries(samplesPath string, buckets int) (cs *results.ChartSeries, fresh bool, err error) {
	builder := html.ChartSeriesBuilder(buckets)
	cachePath := results.ChartSeriesPath(samplesPath)
	stamp, serr := results.StampSamples(samplesPath)
	if serr == nil && len(stamp) > 0 {
		if cached, err := results.ReadChartSeries(cachePath); err == nil && cached.Builder == builder && results.SameSource(cached.Source, stamp) {
			return cached, true, nil
		}
	}
	samples, err := results.ReadSamples(samplesPath)
	cs = html.BuildChartSeries(samples, buckets)
	if err != nil || serr != nil || len(stamp) == 0 {
		return cs, false, err
	}
	// Cache it only when the samples did not change while they were read.
	if after, aerr := results.StampSamples(samplesPath); aerr == nil && results.SameSource(stamp, after) {
		cs.Source = stamp
		_ = results.WriteChartSeries(cachePath, cs) // a read-only run directory is rendered all the same
	}
	return cs, false, nil
}

// CacheChartSeries builds and caches the chart series of a cell that has
// ended from its samples, read whole from samplesPath by the caller, so
// that reports of the run need not read them again. The samples file must
// not change any more.
func CacheChartSeries(samplesPath string, samples []results.Sample) error {
	stamp, err := results.StampSamples(samplesPath)
	if err != nil || len(stamp) == 0 {
		return err
	}
	cs := html.BuildChartSeries(samples, 0)
	cs.Source = stamp
	return results.WriteChartSeries(results.ChartSeriesPath(samplesPath), cs)
}
