package process

import (
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// outputDrain bounds how long Stop waits for the last output of a target's
// process group once every process in it has been killed.
const outputDrain = 2 * time.Second

// output carries a target's stdout and stderr to the spec's writers
// through pipes soaklab owns. exec.Cmd copies a non-file writer in
// goroutines that Wait waits for, and a child that inherited stdout (a
// helper started with `sh -c 'helper & exec service'`) keeps the pipe open
// after the target has exited: Wait would not return and the exit would
// go unseen. Handing the child a file instead makes Wait return when the
// target itself exits, whatever its children do; the copy goes on until
// the last writer closes or Stop ends it.
type output struct {
	readers []*os.File
	writers []*os.File // the child's ends, closed in the parent after Start
	wg      sync.WaitGroup
}

// attach gives cmd pipes for the non-nil writers stdout and stderr (the
// same pipe when they are the same writer); nil ones are discarded.
func (o *output) attach(cmd *exec.Cmd, stdout, stderr io.Writer) error {
	pipe := func(w io.Writer) (*os.File, error) {
		if w == nil {
			return nil, nil
		}
		r, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		o.readers = append(o.readers, r)
		o.writers = append(o.writers, pw)
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			_, _ = io.Copy(w, r)
		}()
		return pw, nil
	}
	out, err := pipe(stdout)
	if err != nil {
		return err
	}
	errw := out
	if stderr != stdout {
		if errw, err = pipe(stderr); err != nil {
			return err
		}
	}
	if out != nil {
		cmd.Stdout = out
	}
	if errw != nil {
		cmd.Stderr = errw
	}
	return nil
}

// started closes the parent's copies of the child's ends, so the copy ends
// when the last process holding them exits.
func (o *output) started() {
	for _, w := range o.writers {
		w.Close()
	}
	o.writers = nil
}

// close waits up to d for the copies to reach the end of their pipes, then
// closes the read ends, which ends them.
func (o *output) close(d time.Duration) {
	o.started()
	done := make(chan struct{})
	go func() {
		o.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
	for _, r := range o.readers {
		r.Close()
	}
	<-done
}
