package matrix_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soaklab/matrix"
)

func ExampleParse() {
	m, err := matrix.Parse("matrix.yaml", []byte(`
targets:
  leaky:
    build: ./targets/leaky
    env: {TARGET_RPS: "{{.rps}}"}
axes:
  rps: [500, 200]
  ram: [128MiB]
  duration: [10m]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	cells, _ := m.Expand()
	for _, c := range cells {
		fmt.Println(c.ID, c.Env["TARGET_RPS"])
	}
	// Output:
	// leaky/duration=10m,percentiles=hdr,ram=128MiB,rps=500,tasks=16 500
	// leaky/duration=10m,percentiles=hdr,ram=128MiB,rps=200,tasks=16 200
}

func ExampleErrors() {
	_, err := matrix.Parse("matrix.yaml", []byte(`
targets:
  web: {biuld: ./web}
axes:
  ram: [64]
`))
	fmt.Println(err)
	// Output:
	// matrix.yaml:3:3: targets.web: needs one of build, command, image or dockerfile
	// matrix.yaml:3:9: targets.web: unknown key "biuld": did you mean "build"?
	// matrix.yaml:5:9: axes.ram: "64" is below 1MiB; a unit is missing? (e.g. 64MiB)
}

func ExampleParseSize() {
	n, _ := matrix.ParseSize("1.5GiB")
	fmt.Println(n, matrix.FormatSize(n), matrix.FormatSize(30000))
	// Output: 1610612736 1536MiB 30KB
}

func ExampleParseDuration() {
	d, _ := matrix.ParseDuration("1d12h")
	fmt.Println(d == 36*time.Hour, matrix.FormatDuration(d))
	// Output: true 36h
}

func ExampleShard() {
	var cells []matrix.Cell
	for _, id := range []string{"a/rps=1", "a/rps=2", "a/rps=3", "a/rps=4"} {
		cells = append(cells, matrix.Cell{ID: id})
	}
	i, n, _ := matrix.ParseShard("2/2")
	total := len(matrix.Shard(cells, 1, n)) + len(matrix.Shard(cells, i, n))
	fmt.Println(total)
	// Output: 4
}
