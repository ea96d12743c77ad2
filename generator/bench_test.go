package generator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/h1"
	"github.com/stampedehq/stampede/generator/scenario"
)

// nopRecorder measures the engine without a metrics backend.
type nopRecorder struct{}

func (nopRecorder) Endpoint(string, string, []string) generator.EndpointRecorder {
	return nopEndpoint{}
}
func (nopRecorder) Task(string) generator.TaskRecorder { return nopTask{} }
func (nopRecorder) DroppedIteration()                  {}
func (nopRecorder) SetUsers(int)                       {}
func (nopRecorder) SetUsersTarget(int)                 {}
func (nopRecorder) SetArrivalRateTarget(float64)       {}

type nopEndpoint struct{}

func (nopEndpoint) Request(int, string, time.Duration, int64, int64) {}
func (nopEndpoint) Check(int, bool)                                  {}

type nopTask struct{}

func (nopTask) Iteration(time.Duration, bool) {}

// BenchmarkClosedModelGET is the cost of one GET iteration through the
// engine, client and an in-process server together: ns/op is per request.
func BenchmarkClosedModelGET(b *testing.B) {
	benchmarkClosedModel(b, nil, `{name: hello, request: {path: /hello}, check: {status: 200}}`)
}

// BenchmarkClosedModelGETh1 is BenchmarkClosedModelGET through the h1
// transport the worker uses for plain HTTP.
func BenchmarkClosedModelGETh1(b *testing.B) {
	benchmarkClosedModel(b, h1.New(h1.Options{}), `{name: hello, request: {path: /hello}, check: {status: 200}}`)
}

// BenchmarkClosedModelTemplatedGET is BenchmarkClosedModelGET with a path
// rendered per request and a check that keeps the body: the cost of the
// paths that cannot share a prebuilt request.
func BenchmarkClosedModelTemplatedGET(b *testing.B) {
	benchmarkClosedModel(b, nil, `{name: hello, request: {path: "/hello/{{ randInt 1 100 }}"}, check: {status: 200, body_contains: hello}}`)
}

// benchmarkClosedModel runs b.N iterations of a one-step scenario with 8
// users against an in-process server answering "hello", through transport
// (nil: the engine's default).
func benchmarkClosedModel(b *testing.B, transport http.RoundTripper, step string) {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello\n")) }))
	defer srv.Close()
	sc, err := scenario.Parse("bench.yaml", []byte("name: b\ntasks:\n  - name: t\n    steps:\n      - "+step+"\n"))
	if err != nil {
		b.Fatal(err)
	}
	if err := sc.WithTarget(srv.URL); err != nil {
		b.Fatal(err)
	}
	e, err := generator.New(generator.Options{Scenario: sc, Recorder: nopRecorder{}, Users: 8, Iterations: int64(b.N), Transport: transport})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if err := e.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
}
