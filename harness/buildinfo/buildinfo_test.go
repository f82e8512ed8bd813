package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		bi           *debug.BuildInfo
		ldV, ldC     string
		wantV, wantC string
		modified     bool
	}{
		// go install …@v0.1.0: the module version, no commit recorded
		{"tagged install", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}}, "", "", "v0.1.0", Unknown, false},
		// go install …@<commit>: the pseudo-version names the commit
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129193000-abcdef123456"}}, "", "", "v0.0.0-20261129193000-abcdef123456", "abcdef123456", false},
		// a pseudo-version after a tag: vX.Y.(Z+1)-0.timestamp-rev
		{"pseudo after tag", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20261129193000-0123456789ab"}}, "", "", "v0.1.1-0.20261129193000-0123456789ab", "0123456789ab", false},
		// a prerelease tag is not a pseudo-version
		{"prerelease", &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0-rc.1"}}, "", "", "v0.2.0-rc.1", Unknown, false},
		// go build in a checkout: (devel) and the VCS settings
		{"checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "785f21f0000000000000000000000000000000000"}, {Key: "vcs.modified", Value: "true"}}},
			"", "", "(devel)", "785f21f0000000000000000000000000000000000", true},
		// a release build: the linker's values win
		{"release", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "v0.3.0", "feedbeef", "v0.3.0", "feedbeef", false},
		// no build information at all
		{"none", nil, "", "", Unknown, Unknown, false},
	}
	for _, tt := range tests {
		got := From(tt.bi, tt.ldV, tt.ldC)
		assert.Equal(t, tt.wantV, got.Version, tt.name)
		assert.Equal(t, tt.wantC, got.Commit, tt.name)
		assert.Equal(t, tt.modified, got.Modified, tt.name)
		assert.NotEmpty(t, got.GoVersion, tt.name)
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	i := Info{Version: "v0.1.0", Commit: "abc", GoVersion: "go1.26.8"}
	assert.Equal(t, "soaklab v0.1.0 (commit abc, go1.26.8)", i.String())
	i.Modified = true
	assert.Equal(t, "soaklab v0.1.0 (commit abc, modified, go1.26.8)", i.String())
}
