package load_test

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soaklab/harness/load"
)

// A sink stands in for a target, and the driver holds 200 requests per
// second at it for half a second: the open model starts exactly 100.
func Example() {
	sink := load.NewSink()
	url, err := sink.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer sink.Close()

	d, err := load.New(load.Config{
		BaseURL:  url,
		Rate:     200,
		Tasks:    8,
		Duration: 500 * time.Millisecond,
		Mix: []load.Request{
			{Label: "read", Path: "/items", Weight: 3},
			{Label: "write", Method: "POST", Path: "/items", Body: make([]byte, 512)},
		},
		Mode: load.ModeWindowed,
	}, load.StartGrace(time.Minute)) // let a busy machine start every request due
	if err != nil {
		panic(err)
	}
	out, err := d.Run(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println("sent", out.Sent, "errors", out.Errors)
	for _, l := range out.Labels {
		fmt.Println(l.Label, l.Requests)
	}
	fmt.Println("sink saw", sink.Stats().Requests, "requests and", sink.Stats().Bytes, "body bytes")
	// Output:
	// sent 100 errors 0
	// read 75
	// write 25
	// sink saw 100 requests and 12800 body bytes
}

// New refuses anything but loopback.
func ExampleNew_loopbackOnly() {
	_, err := load.New(load.Config{BaseURL: "http://192.0.2.1:80", Duration: time.Second})
	fmt.Println(err)
	// Output:
	// load: base URL is not a loopback address: BaseURL: "http://192.0.2.1:80": host "192.0.2.1" (only 127.0.0.0/8, ::1 and localhost are allowed)
}
