package demotarget_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/stampedehq/stampede/internal/demotarget"
)

// A test serves the target with httptest, loads it, then compares what it
// saw with what the target served.
func ExampleServer_Handler() {
	target, err := demotarget.New(demotarget.Options{})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(target.Handler())
	defer ts.Close()

	resp, err := http.Post(ts.URL+"/todo", "application/json",
		strings.NewReader(`{"Description": "buy milk", "Completed": false}`))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))

	stats := target.Stats()
	fmt.Println(stats.Routes["POST /todo"]["201"], stats.Total, stats.Items)
	// Output:
	// 201 {"Id":1,"Description":"buy milk","Completed":false}
	// 1 1 1
}

// Knobs come from the command line as text.
func ExampleNew() {
	latency, err := demotarget.ParseLatency("uniform(5ms,20ms)")
	if err != nil {
		panic(err)
	}
	stall, err := demotarget.ParseStall("1s/10s")
	if err != nil {
		panic(err)
	}
	_, err = demotarget.New(demotarget.Options{Latency: latency, Stall: stall, ErrorRate: 0.01, Seed: 1})
	fmt.Println(err)

	_, err = demotarget.New(demotarget.Options{ErrorRate: 5})
	fmt.Println(err)
	// Output:
	// <nil>
	// demotarget: ErrorRate 5 must be in [0,1]
}

func ExampleParseLatency() {
	for _, text := range []string{"10ms", "uniform(5ms, 20ms)", "normal(20ms,5ms)", "exp(10ms)", "", "uniform(20ms,5ms)"} {
		latency, err := demotarget.ParseLatency(text)
		fmt.Println(latency, err)
	}
	// Output:
	// 10ms <nil>
	// uniform(5ms,20ms) <nil>
	// normal(20ms,5ms) <nil>
	// exp(10ms) <nil>
	// 0s <nil>
	// 0s latency "uniform(20ms,5ms)": uniform min 20ms is greater than max 5ms
}

func ExampleParseStall() {
	stall, err := demotarget.ParseStall("1s/10s")
	fmt.Println(stall.For, stall.Every, err)
	_, err = demotarget.ParseStall("10s/1s")
	fmt.Println(err)
	// Output:
	// 1s 10s <nil>
	// stall "10s/1s": window (For) 10s must be shorter than the period (Every) 1s
}

// ListenAndServe runs until its context is done, as `stampede demo-target`
// does until SIGTERM; Serve does the same on a listener.
func ExampleServer_Serve() {
	target, err := demotarget.New(demotarget.Options{})
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- target.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/hello")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	fmt.Print(string(body))

	stop()
	fmt.Println(<-served)
	// Output:
	// hello
	// <nil>
}
