package controller

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/metrics"
)

func TestMergedStats(t *testing.T) {
	e := newEnv(t, Options{HeartbeatInterval: time.Second, StatsMaxAge: -1})
	info := e.startRun(api.RunRequest{Users: 3, Thresholds: []api.ThresholdJSON{
		{Metric: "http_req_duration", Endpoint: "create", P: 95, Max: api.Duration(15 * time.Millisecond)},
	}})
	send := func(id string, s *metrics.Snapshot) {
		e.beat(api.Heartbeat{ID: id, RunID: info.ID, Stats: s})
	}
	total := func() metrics.EndpointSummary {
		t.Helper()
		sum, err := e.client.Summary(e.ctx())
		if err != nil {
			t.Fatal(err)
		}
		if sum.RunID != info.ID {
			t.Fatalf("summary of run %q, want %q", sum.RunID, info.ID)
		}
		return sum.Total
	}

	send("w1", snapshot(info.ID, 100, 10, 10*time.Millisecond))
	send("w2", snapshot(info.ID, 300, 0, 20*time.Millisecond))
	if got := total(); got.Requests != 400 || got.Failures != 10 || got.P50 < 19*time.Millisecond {
		t.Fatalf("merged: %d requests, %d failures, p50 %s; want 400, 10, ~20ms", got.Requests, got.Failures, got.P50)
	}

	// Cumulative stats sent again, or grown, replace the worker's last ones.
	send("w1", snapshot(info.ID, 100, 10, 10*time.Millisecond))
	send("w1", snapshot(info.ID, 150, 10, 10*time.Millisecond))
	if got := total(); got.Requests != 450 {
		t.Fatalf("after w1 reported 150: %d requests, want 450 (no double counting)", got.Requests)
	}

	// Stats of another run are not this run's.
	e.beat(api.Heartbeat{ID: "w3", RunID: "another-run", Stats: snapshot("another-run", 1000, 0, time.Millisecond)})
	send("w4", snapshot("another-run", 1000, 0, time.Millisecond)) // inconsistent, but not counted either
	if got := total(); got.Requests != 450 {
		t.Fatalf("stats of another run were counted: %d requests", got.Requests)
	}

	// w1 leaves and w2 dies (its lease ends): what they reported stays.
	if err := e.client.Leave(e.ctx(), "w1"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Second)
	e.beat(api.Heartbeat{ID: "w3"})
	e.clock.Advance(2 * time.Second)
	e.beat(api.Heartbeat{ID: "w3"})
	if ids := e.workerIDs(); len(ids) != 1 || ids[0] != "w3" {
		t.Fatalf("live workers %v, want [w3]", ids)
	}
	if got := total(); got.Requests != 450 || got.Failures != 10 {
		t.Fatalf("after w1 left and w2 died: %d requests, %d failures; want 450, 10", got.Requests, got.Failures)
	}

	// Thresholds: the scenario's (failures <= 10%) holds, the request's (p95 of create <= 15ms) does not.
	st := e.status()
	if len(st.Thresholds) != 2 || !st.Thresholds[0].Passed || st.Thresholds[1].Passed || st.Passed {
		t.Fatalf("live thresholds %+v, passed %v", st.Thresholds, st.Passed)
	}
	sum, err := e.client.Summary(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passed || len(sum.Thresholds) != 2 || sum.Thresholds[1].Threshold != "http_req_duration{endpoint=create} p95 < 15ms" {
		t.Fatalf("summary thresholds %+v, passed %v", sum.Thresholds, sum.Passed)
	}

	// The stopped run keeps its summary until the next one starts.
	if _, err := e.client.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	if got := total(); got.Requests != 450 {
		t.Fatalf("after the stop: %d requests", got.Requests)
	}
	next := e.startRun(api.RunRequest{Users: 1})
	sum, err = e.client.Summary(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if sum.RunID != next.ID || sum.Total.Requests != 0 {
		t.Fatalf("the new run's summary: run %q with %d requests", sum.RunID, sum.Total.Requests)
	}
}

func TestSummaryCSV(t *testing.T) {
	e := newEnv(t, Options{})
	info := e.startRun(api.RunRequest{Users: 1})
	e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 20, 1, 5*time.Millisecond)})
	data, err := e.client.SummaryCSV(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	if len(rows) != 3 || rows[0][0] != "endpoint" || rows[1][0] != "create" || rows[2][0] != "total" || rows[2][2] != "20" {
		t.Fatalf("CSV rows %q", rows)
	}
}

func TestStatsThatDoNotDecodeAreSkipped(t *testing.T) {
	e := newEnv(t, Options{})
	info := e.startRun(api.RunRequest{Users: 1})
	e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 20, 0, 5*time.Millisecond)})
	body := `{"id": "w2", "state": "running", "run_id": "` + info.ID + `", "stats": {"endpoints": [{"name": "x", "latency": "not a histogram"}]}}`
	if got := e.send("POST", api.PathHeartbeat, body, nil); got.status != 200 {
		t.Fatalf("heartbeat: %d %s", got.status, got.body)
	}
	if sum := e.c.Summary(); sum.Total.Requests != 20 {
		t.Fatalf("%d requests, want the 20 of w1", sum.Total.Requests)
	}
}

func TestStatusReusesARecentMerge(t *testing.T) {
	e := newEnv(t, Options{StatsMaxAge: time.Hour})
	info := e.startRun(api.RunRequest{Users: 1})
	e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 100, 50, time.Millisecond)})
	if st := e.status(); st.Thresholds[0].Passed {
		t.Fatalf("50%% failed, but %+v", st.Thresholds)
	}
	e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 10000, 50, time.Millisecond)})
	if st := e.status(); st.Thresholds[0].Passed {
		t.Fatalf("the status merged again within StatsMaxAge")
	}
	// Summary is always fresh, and refreshes what Status shows.
	if sum := e.c.Summary(); !sum.Passed {
		t.Fatalf("summary %+v", sum.Thresholds)
	}
	if st := e.status(); !st.Thresholds[0].Passed {
		t.Fatalf("status after a fresh merge: %+v", st.Thresholds)
	}
}
