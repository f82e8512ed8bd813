// Command soaklab runs soak-test matrices against targets under memory
// limits and judges how their memory holds. See `soaklab help`.
package main

import (
	"context"
	"os"

	"soaklab/harness/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.OSEnv()))
}
