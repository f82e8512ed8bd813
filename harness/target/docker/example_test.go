package docker_test

import (
	"context"
	"fmt"
	"os"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/docker"
	"github.com/soaklab/soaklab/harness/target/process"
)

// `backend: auto`: the docker backend when an engine answers, the process
// backend otherwise, saying which and why.
func ExampleAuto() {
	ctx := context.Background()
	b, why := docker.Auto(ctx, process.New())
	fmt.Fprintln(os.Stderr, why) // e.g. "backend auto: docker (docker engine 20.10.24 at unix:///var/run/docker.sock)"

	inst, err := b.Start(ctx, target.Spec{RunID: "r1", CellID: "steady/ram=64Mi", Name: "steady",
		Path: "bin/steady", Env: []string{"PORT=8081"}, MemoryLimit: 64 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer inst.Stop(ctx)
	<-inst.Done()
	fmt.Printf("%+v\n", inst.Exit())
}
