package vmtest

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// RequireEnv is the variable that turns a VM that cannot run into a test
// failure instead of a skip (CI sets it).
const RequireEnv = "SOAKLAB_REQUIRE_CGROUP2"

// Kit is what a VM is built from: a kernel and its modules, busybox, and the
// module's source tree to build Go binaries from.
type Kit struct {
	Kernel   string // vmlinuz
	Version  string // the kernel's release
	Modules  string // directory of the modules kernel.sh kept (brd.ko)
	Busybox  string // a static busybox
	Cache    string // where images and binaries are kept between runs
	Root     string // the Go module's root directory
	buildDir string
}

// CacheDir is where the kernel and images are kept: $SOAKLAB_VM_CACHE, else
// the user's cache directory's soaklab/vm.
func CacheDir() (string, error) {
	if d := os.Getenv("SOAKLAB_VM_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "soaklab", "vm"), nil
}

// Find gathers the kit, fetching the kernel from Debian's packages with
// scripts/vm/kernel.sh when it is not in the cache yet. It returns an error
// wrapping ErrMissing when something is not installed.
func Find() (*Kit, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		return nil, fmt.Errorf("%w: qemu-system-x86_64 (Debian: qemu-system-x86)", ErrMissing)
	}
	bb := os.Getenv("SOAKLAB_VM_BUSYBOX")
	if bb == "" {
		bb = "/bin/busybox"
	}
	if err := static(bb); err != nil {
		return nil, fmt.Errorf("%w: a static busybox (Debian: busybox-static): %v", ErrMissing, err)
	}
	kdir := filepath.Join(cache, "kernel")
	script := filepath.Join(root, "scripts", "vm", "kernel.sh")
	if out, err := exec.Command("bash", script, kdir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: the VM's kernel: %s: %v\n%s", ErrMissing, script, err, out)
	}
	version, err := os.ReadFile(filepath.Join(kdir, "version"))
	if err != nil {
		return nil, err
	}
	return &Kit{Kernel: filepath.Join(kdir, "vmlinuz"), Version: strings.TrimSpace(string(version)),
		Modules: filepath.Join(kdir, "modules"), Busybox: bb, Cache: cache, Root: root,
		buildDir: filepath.Join(cache, "bin")}, nil
}

// FindOrSkip is Find for a test: a missing piece skips it, or fails it when
// SOAKLAB_REQUIRE_CGROUP2=1.
func FindOrSkip(t testing.TB) *Kit {
	t.Helper()
	k, err := Find()
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but the cgroup v2 VM cannot run: %v", RequireEnv, err)
		}
		t.Skipf("no cgroup v2 VM here (make test-cgroup2 installs nothing; .ci/run does): %v", err)
	}
	return k
}

// static checks that path is an executable ELF without an interpreter.
func static(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", path)
		}
	}
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(mod), nil
}

// Build builds the module's package pkg (e.g. ./targets/steady) as a static
// binary for the guest and returns its path, a file named after the
// package's last element in a directory of the cache.
func (k *Kit) Build(pkg string) (string, error) {
	return k.goBuild(pkg, "build")
}

// TestBinary compiles the tests of package pkg (go test -c) as a static
// binary for the guest and returns its path.
func (k *Kit) TestBinary(pkg string) (string, error) {
	return k.goBuild(pkg, "test")
}

func (k *Kit) goBuild(pkg, verb string) (string, error) {
	name := path.Base(pkg)
	if verb == "test" {
		name += ".test"
	}
	out := filepath.Join(k.buildDir, name)
	args := []string{"build", "-trimpath", "-o", out, pkg}
	if verb == "test" {
		args = []string{"test", "-c", "-trimpath", "-o", out, pkg}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = k.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s %s: %v\n%s", verb, pkg, err, b)
	}
	return out, nil
}
