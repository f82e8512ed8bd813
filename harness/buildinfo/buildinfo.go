// Package buildinfo says which soaklab is running: its version, the commit
// it was built from and the Go toolchain that built it. Release builds set
// the version and commit with the linker (-ldflags "-X ..."); `go install
// github.com/soaklab/soaklab/harness/cmd/soaklab@v0.1.0` records the module
// version in the binary, read here with debug.ReadBuildInfo; a build in a
// checkout records the VCS revision. It is a leaf.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker in release builds:
//
//	-X github.com/soaklab/soaklab/harness/buildinfo.version=v0.1.0
//	-X github.com/soaklab/soaklab/harness/buildinfo.commit=<sha>
var (
	version string
	commit  string
)

// Unknown stands for a version or commit nothing recorded.
const Unknown = "unknown"

// Info identifies a soaklab binary.
type Info struct {
	Version   string `json:"version"`    // v0.1.0, a pseudo-version, "(devel)" or Unknown
	Commit    string `json:"commit"`     // full or abbreviated revision, or Unknown
	GoVersion string `json:"go_version"` // go1.26.8
	Modified  bool   `json:"modified,omitempty"`
}

// Read returns this binary's Info.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(bi, version, commit)
}

// From builds an Info from build information (nil when the binary has
// none) and the linker-set version and commit (empty when not set); the
// linker's values win.
func From(bi *debug.BuildInfo, ldVersion, ldCommit string) Info {
	info := Info{Version: ldVersion, Commit: ldCommit, GoVersion: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if info.Version == "" && bi.Main.Version != "" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Commit == "" {
		info.Commit = pseudoRevision(info.Version)
	}
	if info.Version == "" {
		info.Version = Unknown
	}
	if info.Commit == "" {
		info.Commit = Unknown
	}
	return info
}

// String is the one line `soaklab --version` prints.
func (i Info) String() string {
	s := "soaklab " + i.Version + " (commit " + i.Commit
	if i.Modified {
		s += ", modified"
	}
	return s + ", " + i.GoVersion + ")"
}

// pseudoRevision returns the commit a pseudo-version names
// (v0.0.0-20261129193000-abcdef123456 → abcdef123456), or "".
func pseudoRevision(v string) string {
	v, _, _ = strings.Cut(v, "+") // +incompatible, +dirty
	i := strings.LastIndexByte(v, '-')
	if i < 0 {
		return ""
	}
	rev, rest := v[i+1:], v[:i]
	if len(rev) != 12 || !isHex(rev) {
		return ""
	}
	// the timestamp before it: "-20261129193000" or ".20261129193000"
	j := strings.LastIndexAny(rest, "-.")
	if j < 0 || len(rest)-j-1 != 14 || !isDigits(rest[j+1:]) {
		return ""
	}
	return rev
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
