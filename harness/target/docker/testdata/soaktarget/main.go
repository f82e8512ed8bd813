// Command soaktarget is the docker backend's test target: a static binary
// that serves GET /healthz on 127.0.0.1:$PORT. Knobs by environment:
//
//	HOG=1      allocate and touch 1 MiB at a time until killed (exits 3
//	           after 4 GiB: the limit did not hold)
//	EXIT=N     print its arguments and exit with status N at once
//	WRAP=N     start a helper child that holds stdout for a minute, then
//	           exit with status N after a second (a wrapper's service)
//
// It writes "stdout <args>" to stdout and "stderr ready" to stderr when it
// starts, so tests can check that output is copied.
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	fmt.Printf("stdout %s\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintln(os.Stderr, "stderr ready")
	if s := os.Getenv("EXIT"); s != "" {
		code, _ := strconv.Atoi(s)
		os.Exit(code)
	}
	if os.Getenv("HELPER") == "1" {
		fmt.Println("helper up")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	if s := os.Getenv("WRAP"); s != "" {
		helper := exec.Command(os.Args[0])
		helper.Env = append(os.Environ(), "HELPER=1", "WRAP=")
		helper.Stdout, helper.Stderr = os.Stdout, os.Stderr
		if err := helper.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		time.Sleep(time.Second)
		code, _ := strconv.Atoi(s)
		os.Exit(code)
	}
	if os.Getenv("HOG") == "1" {
		hog()
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Addr: "127.0.0.1:" + port, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func hog() {
	var keep [][]byte
	for i := 0; i < 4096; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(j)
		}
		keep = append(keep, b)
		time.Sleep(time.Millisecond)
	}
	fmt.Println("allocated", len(keep), "MiB without being killed")
	os.Exit(3)
}
