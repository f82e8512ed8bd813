package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of a target's main.
const (
	ExitOK    = 0
	ExitError = 1 // the target broke while running
	ExitUsage = 2 // a knob or PORT was wrong: nothing was started
)

// Setup reads a target's knobs from env, adds its handlers and metrics to
// app, and returns the background work to run until ctx ends (nil for none).
// It must not start anything itself: Main only runs it when every knob
// parsed.
type Setup func(env *Env, app *App) (background func(ctx context.Context), err error)

// Main is the whole main function of a target: Main("steady", setup).
func Main(name string, setup Setup) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(Run(ctx, name, os.LookupEnv, os.Stderr, setup))
}

// Run is Main with the environment, stderr and lifetime passed in; it
// returns the exit code.
func Run(ctx context.Context, name string, lookup func(string) (string, bool), stderr io.Writer, setup Setup) int {
	env := NewEnv(lookup)
	port, _ := lookup("PORT")
	addr, addrErr := Addr(port)
	app := New(name)
	bg, err := setup(env, app)
	if addrErr != nil || err != nil || env.Err() != nil {
		for _, e := range []error{addrErr, err, env.Err()} {
			if e != nil {
				fmt.Fprintf(stderr, "%s: %v\n", name, e)
			}
		}
		return ExitUsage
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitError
	}
	fmt.Fprintf(stderr, "%s: listening on http://%s\n", name, ln.Addr())
	if bg != nil {
		go bg(ctx)
	}
	if err := app.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitError
	}
	fmt.Fprintf(stderr, "%s: stopped\n", name)
	return ExitOK
}
