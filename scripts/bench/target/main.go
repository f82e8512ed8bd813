// Command target is the trivial loopback HTTP server scripts/bench/bench.sh
// measures load generators against: every request gets "ok".
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String()) // the script reads the port from here
	ok := []byte("ok")
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "2")
		_, _ = w.Write(ok)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
