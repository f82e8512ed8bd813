package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Clean removes the containers earlier runs left behind: every container
// labelled soaklab.run, running or not, except
//   - those of runs named by KeepRuns, and
//   - those whose soaklab.owner is another harness process still alive on
//     this host (a run in progress elsewhere).
//
// Containers owned by the calling process itself are removed unless their
// run is kept: a harness cleaning up after itself names its own run in
// KeepRuns. With CleanImages it also removes dangling images soaklab built.
func (b *Backend) Clean(ctx context.Context, w io.Writer) (int, error) {
	list, err := b.cli.ContainerList(ctx, client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelRun)})
	if err != nil {
		return 0, fmt.Errorf("list soaklab containers: %w", err)
	}
	host, _ := os.Hostname()
	n := 0
	var errs []error
	for _, c := range list.Items {
		run := c.Labels[LabelRun]
		if b.cfg.keepRuns[run] || (b.cfg.onlyRuns != nil && !b.cfg.onlyRuns[run]) || ownerAlive(c.Labels[LabelOwner], host) {
			continue
		}
		if err := b.remove(ctx, c.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(w, "removed container %s (run %s, cell %s)\n", short(c.ID), run, c.Labels[LabelCell])
		n++
	}
	if b.cfg.cleanImages {
		m, err := b.cleanImages(ctx, w)
		n += m
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// DefaultImageGrace spares dangling images younger than this from Clean:
// while a Dockerfile builds, its intermediate layers are dangling, and
// removing them breaks a build that another soaklab is running.
const DefaultImageGrace = 10 * time.Minute

// cleanImages removes dangling images labelled soaklab.built, older than
// the image grace. One a container still uses (a run that is ending, or a
// container kept by hand) is kept and named.
func (b *Backend) cleanImages(ctx context.Context, w io.Writer) (int, error) {
	filters := make(client.Filters).Add("label", LabelBuilt).Add("dangling", "true")
	if b.cfg.imageTarget != "" {
		filters = filters.Add("label", LabelTarget+"="+b.cfg.imageTarget)
	}
	list, err := b.cli.ImageList(ctx, client.ImageListOptions{Filters: filters})
	if err != nil {
		return 0, fmt.Errorf("list soaklab images: %w", err)
	}
	n := 0
	var errs []error
	for _, im := range list.Items {
		if time.Since(time.Unix(im.Created, 0)) < b.cfg.imageGrace {
			continue
		}
		if _, err := b.cli.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
			switch {
			case isNotFound(err):
			case errdefs.IsConflict(err):
				fmt.Fprintf(w, "kept image %s: a container uses it\n", short(strings.TrimPrefix(im.ID, "sha256:")))
			default:
				errs = append(errs, fmt.Errorf("remove image %s: %w", short(im.ID), err))
			}
			continue
		}
		fmt.Fprintf(w, "removed image %s\n", short(strings.TrimPrefix(im.ID, "sha256:")))
		n++
	}
	return n, errors.Join(errs...)
}

// ownerAlive reports whether owner ("<hostname>:<pid>") is a live process
// on this host other than the caller.
func ownerAlive(owner, host string) bool {
	h, p, ok := strings.Cut(owner, ":")
	if !ok || h != host {
		return false
	}
	pid, err := strconv.Atoi(p)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return alive(pid)
}
