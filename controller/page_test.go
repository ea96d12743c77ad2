package controller

import (
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

func TestStatusPage(t *testing.T) {
	e := newEnv(t, Options{Version: "v9.9.9"})
	got := e.send("GET", "/", "", nil)
	if got.status != 200 || !strings.Contains(got.body, "No run yet") {
		t.Fatalf("empty page: %d %s", got.status, got.body)
	}
	info := e.startRun(api.RunRequest{Users: 5, Thresholds: []api.ThresholdJSON{{Metric: "checks", MinRate: 0.5}}})
	e.beat(api.Heartbeat{ID: "worker-a", MetricsAddr: "127.0.0.1:9464", Users: 5, CPU: 0.25, RunID: info.ID,
		Stats: snapshot(info.ID, 10, 0, time.Millisecond)})
	e.clock.Advance(1500 * time.Millisecond)
	got = e.send("GET", "/", "", nil)
	if ct := got.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	for _, want := range []string{
		info.ID, "v9.9.9", "todo", "http://127.0.0.1:8080", "5 active of 5 wanted",
		"worker-a", "127.0.0.1:9464", "25%", "1.5s ago",
		"http_req_failed rate &lt; 10%", "checks rate &gt; 50%", "FAIL", // no checks recorded: no data
		`href="/api/v1/status"`, `href="/api/v1/runs/current/summary?format=csv"`, `href="/metrics"`,
	} {
		if !strings.Contains(got.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, external := range []string{"http://cdn", "https://", `src="http`, `src="//`} {
		if strings.Contains(got.body, external) {
			t.Errorf("the page has %q", external)
		}
	}
}
