package docker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target"
)

// TestCleanRemovesLeftovers is not parallel: Clean removes every soaklab
// container of this process that is not kept, and sequential tests run
// before the parallel ones resume.
func TestCleanRemovesLeftovers(t *testing.T) {
	kept := runID(t) + "-kept"
	// Only this test's runs: other packages' tests clean concurrently.
	b := newBackend(t, KeepRuns(kept), OnlyRuns(runID(t), kept, runID(t)+"-dead", runID(t)+"-noowner", runID(t)+"-live"))
	ctx := context.Background()
	ref, err := b.image(ctx, target.Spec{Name: "soaktarget", Path: testBinary(t)})
	require.NoError(t, err)

	// create makes a stopped container with the given labels, as a killed
	// harness would leave one behind.
	create := func(run, owner string) string {
		res, err := b.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Config: &container.Config{Image: ref, Env: []string{"EXIT=0"},
				Labels: map[string]string{LabelRun: run, LabelCell: "c1", LabelOwner: owner}},
			HostConfig: &container.HostConfig{NetworkMode: "host"}})
		require.NoError(t, err)
		t.Cleanup(func() { b.remove(context.Background(), res.ID) })
		return res.ID
	}
	host, _ := os.Hostname()
	cases := []struct {
		name, run, owner string
		removed          bool
	}{
		// a dead harness's container: removed
		{"dead owner", runID(t) + "-dead", host + ":999999999", true},
		// a container with no owner label (older or foreign tooling): removed
		{"no owner", runID(t) + "-noowner", "", true},
		// a run named in KeepRuns: kept
		{"kept run", kept, host + ":999999999", false},
		// another live harness on this host (pid 1 stands in for it): kept
		{"live owner", runID(t) + "-live", host + ":1", false},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		ids[i] = create(tc.run, tc.owner)
	}
	// A running leftover of this very process, started by the backend.
	inst, err := b.Start(ctx, spec(t, 32<<20, fmt.Sprintf("PORT=%d", freePort(t))))
	require.NoError(t, err)
	defer inst.Stop(ctx)

	var log strings.Builder
	n, err := b.Clean(ctx, &log)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 3, log.String())
	waitDone(t, inst, 10*time.Second)
	containerGone(t, b, inst.(*instance).ContainerID())
	for i, tc := range cases {
		_, err := b.cli.ContainerInspect(ctx, ids[i], clientInspectOpts)
		if tc.removed {
			assert.True(t, isNotFound(err), "%s: want removed, inspect err %v", tc.name, err)
			assert.Contains(t, log.String(), short(ids[i]), tc.name)
		} else {
			assert.NoError(t, err, "%s: want kept", tc.name)
		}
	}
	require.NoError(t, inst.Stop(ctx), "Stop after Clean removed the container")
}

// removeBuilt removes the image the backend built for a cache key.
func removeBuilt(b *Backend, key string) {
	b.mu.Lock()
	ref := b.images[key]
	b.mu.Unlock()
	if ref != "" {
		b.cli.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	}
}

// A Dockerfile rebuilt with new content moves its tag; the old image is
// dangling, and CleanImages removes it.
func TestCleanRemovesDanglingBuiltImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(df, []byte("FROM scratch\nCOPY version /version\n"), 0o644))
	build := func(version string) string {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "version"), []byte(version), 0o644))
		b := newBackend(t, CleanImages()) // a fresh backend: no build cache
		ref, err := b.image(ctx, target.Spec{Name: "dangling-test", Dockerfile: df})
		require.NoError(t, err)
		res, err := b.cli.ImageInspect(ctx, ref)
		require.NoError(t, err)
		t.Cleanup(func() { removeBuilt(b, "dockerfile:"+df) })
		return res.ID
	}
	old := build("1")
	current := build("2")
	require.NotEqual(t, old, current)

	// With the default grace a fresh dangling image is kept: it may be a
	// layer of a build another soaklab is running.
	young := newBackend(t, CleanImages())
	var log strings.Builder
	n, err := young.cleanImages(ctx, &log)
	require.NoError(t, err)
	_, err = young.cli.ImageInspect(ctx, old)
	assert.NoError(t, err, "a young dangling image is kept: %s", log.String())

	// A container still using it keeps it, named, without an error.
	out, err := exec.Command("docker", "create", old, "/never-run").Output()
	require.NoError(t, err)
	holder := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", holder).Run() })
	// Without a grace every dangling soaklab image is fair game, including
	// the layers of builds other tests run at the same time: this backend
	// cleans only the images of this test's target.
	b := newBackend(t, CleanImages(), ImageGrace(0), func(c *config) { c.imageTarget = "dangling-test" })
	log.Reset()
	_, err = b.cleanImages(ctx, &log)
	require.NoError(t, err)
	assert.Contains(t, log.String(), "kept image "+short(strings.TrimPrefix(old, "sha256:"))+": a container uses it")
	_, err = b.cli.ImageInspect(ctx, old)
	assert.NoError(t, err, "an image in use is kept")

	require.NoError(t, exec.Command("docker", "rm", holder).Run())
	n, err = b.cleanImages(ctx, &log)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 1, log.String())
	_, err = b.cli.ImageInspect(ctx, old)
	assert.True(t, isNotFound(err), "old build removed: %v", err)
	_, err = b.cli.ImageInspect(ctx, current)
	assert.NoError(t, err, "current build kept")
}
