package controller

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/internal/fakeclock"
	"github.com/stampedehq/stampede/metrics"
)

// testScenario is a valid scenario with a base URL and one threshold.
const testScenario = `
name: todo
base_url: http://127.0.0.1:8080
tasks:
  - name: crud
    steps:
      - name: create
        request: {method: POST, path: /todo, json: {Description: "x"}}
        check: {status: 201}
      - name: /todo/[id]
        request: {method: GET, path: /todo/1}
thresholds:
  - {metric: http_req_failed, max_rate: 0.1}
`

// env is a controller served over loopback HTTP, with a client of it.
type env struct {
	t      *testing.T
	c      *Controller
	srv    *httptest.Server
	client *api.Client
	clock  *fakeclock.Clock
}

// newEnv starts a controller with a fake clock (unless opts has a clock),
// quiet logs and a 2s heartbeat interval unless opts say otherwise.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{t: t}
	if opts.Now == nil {
		e.clock = fakeclock.New()
		opts.Now = e.clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	c, err := New(t.Context(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.c = c
	e.srv = httptest.NewServer(c.Handler())
	t.Cleanup(e.srv.Close)
	e.client, err = api.NewClient(e.srv.URL, api.ClientOptions{Token: opts.Token})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (e *env) ctx() context.Context { return e.t.Context() }

// beat sends one heartbeat and returns the assignment.
func (e *env) beat(hb api.Heartbeat) api.Assignment {
	e.t.Helper()
	if hb.State == "" {
		hb.State = api.WorkerRunning
	}
	resp, err := e.client.Heartbeat(e.ctx(), hb)
	if err != nil {
		e.t.Fatalf("heartbeat of %s: %v", hb.ID, err)
	}
	return resp.Assignment
}

// startRun starts a run of testScenario with users.
func (e *env) startRun(req api.RunRequest) api.RunInfo {
	e.t.Helper()
	if req.Scenario == "" {
		req.Scenario = testScenario
	}
	info, err := e.client.StartRun(e.ctx(), req)
	if err != nil {
		e.t.Fatalf("StartRun: %v", err)
	}
	return info
}

func (e *env) status() api.Status {
	e.t.Helper()
	st, err := e.client.Status(e.ctx())
	if err != nil {
		e.t.Fatalf("Status: %v", err)
	}
	return st
}

func (e *env) workerIDs() []string {
	e.t.Helper()
	ws, err := e.client.Workers(e.ctx())
	if err != nil {
		e.t.Fatalf("Workers: %v", err)
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return ids
}

// snapshot is a worker's cumulative stats: requests to endpoint "create",
// failures of them, each taking latency.
func snapshot(runID string, requests, failures int, latency time.Duration) *metrics.Snapshot {
	h := metrics.NewHistogram()
	for range requests {
		h.Record(latency)
	}
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	return &metrics.Snapshot{
		RunID:   runID,
		Started: start,
		Taken:   start.Add(10 * time.Second),
		Endpoints: []metrics.EndpointStats{{
			Name: "create", Method: "POST", Requests: int64(requests), Failures: int64(failures),
			Statuses: map[string]int64{"201": int64(requests - failures), "error": int64(failures)},
			Errors:   map[string]int64{"timeout": int64(failures)},
			Latency:  h,
		}},
	}
}

// value reads a gauge or counter.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	case d.Counter != nil:
		return d.Counter.GetValue()
	}
	t.Fatalf("%v is neither a gauge nor a counter", m.Desc())
	return 0
}
