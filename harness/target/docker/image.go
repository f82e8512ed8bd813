package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/soaklab/soaklab/harness/target"
)

// ErrImageNotFound is returned when spec.Image is not in the engine's local
// image store. soaklab never pulls.
var ErrImageNotFound = errors.New("image not found locally")

// ErrNoImageSource is returned when a spec names none of Image, Dockerfile
// and Path.
var ErrNoImageSource = errors.New("no image, dockerfile or binary to run")

// ImageRepo is the repository of the images soaklab builds: soaklab/<target>.
const ImageRepo = "soaklab"

// scratchDockerfile wraps a static binary; the entrypoint is the binary, so
// spec.Args become the container's command.
const scratchDockerfile = `FROM scratch
COPY %[1]s /%[1]s
ENTRYPOINT ["/%[1]s"]
`

// image returns the reference of the image to run for spec, building it when
// spec names a Dockerfile or a binary. A build is done once per Backend and
// source: cells of a run reuse it.
func (b *Backend) image(ctx context.Context, spec target.Spec) (string, error) {
	switch {
	case spec.Image != "":
		if _, err := b.cli.ImageInspect(ctx, spec.Image); err != nil {
			if errdefs.IsNotFound(err) {
				return "", fmt.Errorf("target %s: %w: image %s not found locally; soaklab does not pull images: "+
					"build or load it first (docker build / docker load), or give a dockerfile or a binary",
					spec.Name, ErrImageNotFound, spec.Image)
			}
			return "", fmt.Errorf("target %s: inspect image %s: %w", spec.Name, spec.Image, err)
		}
		return spec.Image, nil
	case spec.Dockerfile != "":
		abs, err := filepath.Abs(spec.Dockerfile)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("target %s: dockerfile: %w", spec.Name, err)
		}
		return b.cached("dockerfile:"+abs, func() (string, error) {
			return b.build(ctx, spec.Name, "df-"+shortHash([]byte(abs)), filepath.Dir(abs), filepath.Base(abs))
		})
	case spec.Path != "":
		data, err := os.ReadFile(spec.Path)
		if err != nil {
			return "", fmt.Errorf("target %s: binary: %w", spec.Name, err)
		}
		tag := "bin-" + shortHash(data)
		return b.cached("binary:"+tag, func() (string, error) {
			ref := repo(spec.Name) + ":" + tag
			if _, err := b.cli.ImageInspect(ctx, ref); err == nil {
				return ref, nil // built by an earlier run from the same binary
			}
			dir, err := scratchContext(data, filepath.Base(spec.Path))
			if err != nil {
				return "", fmt.Errorf("target %s: %w", spec.Name, err)
			}
			defer os.RemoveAll(dir)
			return b.build(ctx, spec.Name, tag, dir, "Dockerfile")
		})
	}
	return "", fmt.Errorf("target %s: %w", spec.Name, ErrNoImageSource)
}

// cached runs build once per key for the Backend's lifetime.
func (b *Backend) cached(key string, build func() (string, error)) (string, error) {
	b.mu.Lock()
	ref, ok := b.images[key]
	b.mu.Unlock()
	if ok {
		return ref, nil
	}
	ref, err := build()
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	b.images[key] = ref
	b.mu.Unlock()
	return ref, nil
}

// build builds the Dockerfile in contextDir as soaklab/<name>:<tag>, labelled
// LabelBuilt. Build output is kept only for the error message.
func (b *Backend) build(ctx context.Context, name, tag, contextDir, dockerfile string) (string, error) {
	p, err := provider()
	if err != nil {
		return "", err
	}
	defer p.Close()
	var log strings.Builder
	req := &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: contextDir, Dockerfile: dockerfile, Repo: repo(name), Tag: tag, KeepImage: true,
		BuildLogWriter: &log,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			if o.Labels == nil {
				o.Labels = make(map[string]string)
			}
			o.Labels[LabelBuilt] = "true"
			o.Labels[LabelTarget] = name
		},
	}}
	ref, err := p.BuildImage(ctx, req)
	if err != nil {
		return "", fmt.Errorf("target %s: build %s in %s: %w\n%s", name, dockerfile, contextDir, err, tail(log.String(), 2000))
	}
	return ref, nil
}

// scratchContext writes a build context holding the binary and a FROM
// scratch Dockerfile around it.
func scratchContext(binary []byte, base string) (string, error) {
	dir, err := os.MkdirTemp("", "soaklab-image-")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, base), binary, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	df := fmt.Sprintf(scratchDockerfile, base)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// repo is the repository soaklab builds a target's image into; image
// references are lower case with a restricted alphabet.
func repo(name string) string {
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, nonEmpty(name, "target"))
	return ImageRepo + "/" + strings.Trim(n, "-_.")
}

func shortHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:6])
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// provider is a testcontainers Docker provider whose default network is the
// host network: containers are created without any bridge network (the
// engine may run without one) and the provider's progress lines are silent.
func provider() (*testcontainers.DockerProvider, error) {
	p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(noopLogger),
		testcontainers.WithDefaultBridgeNetwork("host"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoEngine, err)
	}
	return p, nil
}
