package metrics_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/metrics"
)

func ExampleNewRecorder() {
	reg := prometheus.NewRegistry() // serve it with promhttp.HandlerFor(reg, ...)
	rec, err := metrics.NewRecorder(reg, metrics.Options{RunID: "run-1", Scenario: "todo-crud"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = rec.Shutdown(context.Background()) }()

	// The generator resolves its handles once, then records on the hot path.
	create := rec.Endpoint("create", "POST", []string{"status 201"})
	create.Request(201, "", 25*time.Millisecond, 120, 80)
	create.Check(0, true)
	create.Request(0, generator.ReasonTimeout, 5*time.Second, 120, 0)
	create.Check(0, false)

	total := rec.Snapshot().Total()
	fmt.Println(total.Requests, "requests,", total.Failures, "failed")
	// Output: 2 requests, 1 failed
}

func ExampleSnapshot_Merge() {
	// Two workers' snapshots, as heartbeats bring them to the controller.
	worker := func(latencies ...time.Duration) *metrics.Snapshot {
		rec, err := metrics.NewRecorder(prometheus.NewRegistry(), metrics.Options{RunID: "run-1"})
		if err != nil {
			panic(err)
		}
		defer func() { _ = rec.Shutdown(context.Background()) }()
		ep := rec.Endpoint("read", "GET", nil)
		for _, d := range latencies {
			ep.Request(200, "", d, 0, 0)
		}
		return rec.Snapshot()
	}
	fleet := worker(10*time.Millisecond, 20*time.Millisecond)
	fleet.Merge(worker(30*time.Millisecond, 400*time.Millisecond))

	// Quantiles of the merged histogram, not a percentile of percentiles.
	total := fleet.Total()
	fmt.Println(total.Requests, "requests, max", total.Latency.Max().Round(10*time.Millisecond))
	// Output: 4 requests, max 400ms
}

func ExampleSummary_WriteTable() {
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	now := start
	rec, err := metrics.NewRecorder(prometheus.NewRegistry(), metrics.Options{RunID: "run-1", Now: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = rec.Shutdown(context.Background()) }()
	list := rec.Endpoint("list", "GET", nil)
	for range 100 {
		list.Request(200, "", 12*time.Millisecond, 100, 2000)
	}
	now = start.Add(10 * time.Second)

	sum := rec.Snapshot().Summarize([]scenario.Threshold{{Metric: scenario.MetricHTTPReqFailed, MaxRate: 0.01}})
	_ = sum.WriteTable(os.Stdout)
	// Output:
	// run run-1  duration 10s  dropped iterations 0
	//
	// ENDPOINT  METHOD  REQUESTS  FAILED  FAIL%  RPS   P50     P90     P95     P99     MAX     SENT    RECEIVED
	// list      GET     100       0       0%     10.0  12.0ms  12.0ms  12.0ms  12.0ms  12.0ms  10.0kB  200.0kB
	// total     -       100       0       0%     10.0  12.0ms  12.0ms  12.0ms  12.0ms  12.0ms  10.0kB  200.0kB
	//
	// THRESHOLD                  VALUE  RESULT
	// http_req_failed rate < 1%  0%     PASS
}
