// Package supervise runs soaklab as a child of itself so that whatever
// kills the harness (a Go panic in any goroutine, a runtime fatal error
// such as running out of memory, the kernel's OOM killer) ends with one
// clear line, exit status 3 and what the run left behind cleaned up,
// instead of a stack trace and status 2 that CI reads as "bad matrix".
//
// The parent forwards signals to the child (which runs in its own process
// group, so a terminal's Ctrl-C reaches it once), passes its standard
// output through untouched and its standard error line by line until a
// line starts a Go crash report; from there the report goes to a file.
// The child names its run directory on a pipe so the parent can finish
// the run's bookkeeping after a crash.
package supervise

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
)

// ChildEnv is set in the child's environment; its value is the file
// descriptor of the pipe on which the child names its run directory.
const ChildEnv = "_SOAKLAB_SUPERVISED_FD"

// ExitCrash is the status after a crash (the harness's own failure).
const ExitCrash = 3

// Config is what Run needs from the operating system.
type Config struct {
	Exe      string   // the soaklab executable
	Args     []string // its arguments, without the program name
	Env      []string // the child's environment (ChildEnv is added)
	Stdin    *os.File
	Stdout   *os.File
	Stderr   io.Writer
	Signals  <-chan os.Signal // forwarded to the child
	CrashDir string           // where crash reports are written
	// Cleanup finishes what a crashed child left: its run directory ("" if
	// it named none) and its pid (the owner recorded in its cgroups' names).
	// It returns a line to print (a --resume hint), or "".
	Cleanup func(runDir string, pid int) string
}

// IsChild reports whether this process is the supervised child.
func IsChild(getenv func(string) string) bool { return getenv(ChildEnv) != "" }

// Announce writes the run directory to the supervisor's pipe, when this
// process is a supervised child; otherwise it does nothing.
func Announce(getenv func(string) string, runDir string) {
	fd := getenv(ChildEnv)
	if fd == "" {
		return
	}
	var n uintptr
	if _, err := fmt.Sscan(fd, &n); err != nil {
		return
	}
	f := os.NewFile(n, "supervisor")
	fmt.Fprintf(f, "run %s\n", runDir)
}

// crashStart reports whether a line of the child's standard error starts
// a Go crash report.
func crashStart(line string) bool {
	for _, p := range []string{"panic: ", "fatal error: ", "runtime: out of memory", "unexpected fault address", "SIGSEGV: ", "SIGBUS: ", "SIGILL: ", "SIGQUIT: "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return strings.HasPrefix(line, "[signal ")
}

// Run runs the child to its end and returns the exit status to use.
func Run(c Config) int {
	// The child gets SIGKILL if this thread ends (Pdeathsig): keep it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	announceR, announceW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(c.Stderr, "soaklab: cannot start: %v\n", err)
		return ExitCrash
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(c.Stderr, "soaklab: cannot start: %v\n", err)
		return ExitCrash
	}
	cmd := exec.Command(c.Exe, c.Args...)
	cmd.Args[0] = "soaklab"
	cmd.Env = append(append([]string(nil), c.Env...), ChildEnv+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, errW
	cmd.ExtraFiles = []*os.File{announceW}
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(c.Stderr, "soaklab: cannot start: %v\n", err)
		return ExitCrash
	}
	announceW.Close()
	errW.Close()

	runDir := make(chan string, 1)
	go func() {
		dir := ""
		sc := bufio.NewScanner(announceR)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "run "); ok {
				dir = d
			}
		}
		runDir <- dir
	}()
	crash := make(chan []string, 1)
	go func() { crash <- filter(errR, c.Stderr) }()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-c.Signals:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	report := <-crash
	dir := <-runDir

	code := 0
	var exitErr *exec.ExitError
	var signaled string
	switch {
	case werr == nil:
	case errors.As(werr, &exitErr):
		code = exitErr.ExitCode()
		signaled = signalOf(exitErr)
	default:
		fmt.Fprintf(c.Stderr, "soaklab: %v\n", werr)
		return ExitCrash
	}
	if report == nil && signaled == "" {
		return code
	}
	what := "soaklab itself failed"
	if report != nil {
		what += ": " + report[0]
		if path := save(c.CrashDir, report); path != "" {
			what += " (the crash report is in " + path + ")"
		}
	} else {
		what += ": killed by signal " + signaled
		if signaled == "killed" {
			what += " (the kernel's OOM killer, or kill -9)"
		}
	}
	fmt.Fprintln(c.Stderr, "soaklab: "+printable(what))
	if c.Cleanup != nil {
		if hint := c.Cleanup(dir, cmd.Process.Pid); hint != "" {
			fmt.Fprintln(c.Stderr, hint)
		}
	}
	return ExitCrash
}

// filter copies r to w line by line until a crash report starts, and
// returns the report's lines (nil when there was none).
func filter(r io.Reader, w io.Writer) []string {
	br := bufio.NewReaderSize(r, 64<<10)
	var report []string
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			if report == nil && crashStart(line) {
				report = []string{}
			}
			if report != nil {
				if len(report) < 100000 {
					report = append(report, strings.TrimRight(line, "\n"))
				}
			} else {
				io.WriteString(w, line)
			}
		}
		if err != nil {
			return report
		}
	}
}

// save writes a crash report to a file in dir and returns its path.
func save(dir string, report []string) string {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "soaklab-crash-*.txt")
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := io.WriteString(f, strings.Join(report, "\n")+"\n"); err != nil {
		return ""
	}
	return f.Name()
}

// printable keeps the crash line on one line and free of control
// characters (a panic value may quote anything).
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '?'
		}
		return r
	}, s)
}

// Notify returns a channel of the signals a supervisor forwards.
func Notify() <-chan os.Signal {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	return ch
}
