package controller

import (
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

func TestScenarioSentOnlyWhenTheHashDiffers(t *testing.T) {
	e := newEnv(t, Options{})
	if a := e.beat(api.Heartbeat{ID: "w1", State: api.WorkerIdle}); a.State != api.AssignIdle || a.Scenario != "" || a.RunID != "" {
		t.Fatalf("no run yet: got %+v, want an idle assignment", a)
	}
	info := e.startRun(api.RunRequest{Users: 2, Target: "http://127.0.0.1:9999/"})

	a := e.beat(api.Heartbeat{ID: "w1", State: api.WorkerIdle})
	if a.Scenario != testScenario || a.ScenarioHash != info.ScenarioHash || a.ScenarioHash == "" {
		t.Fatalf("a worker without the scenario got scenario %q, hash %q; want the YAML and hash %q", a.Scenario, a.ScenarioHash, info.ScenarioHash)
	}
	if a.State != api.AssignRunning || a.RunID != info.ID || a.Target != "http://127.0.0.1:9999" || a.Users != 2 || a.StartedAt.IsZero() {
		t.Fatalf("assignment %+v", a)
	}
	if a := e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, ScenarioHash: a.ScenarioHash}); a.Scenario != "" || a.ScenarioHash != info.ScenarioHash {
		t.Fatalf("a worker with the scenario got it again (%d bytes)", len(a.Scenario))
	}
	if a := e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, ScenarioHash: "an-older-one"}); a.Scenario != testScenario {
		t.Fatalf("a worker with another scenario did not get this one")
	}
	if _, err := e.client.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	if a := e.beat(api.Heartbeat{ID: "w1", RunID: info.ID}); a.State != api.AssignStopped || a.Scenario != "" || a.Users != 0 {
		t.Fatalf("after the stop: %+v, want stopped without scenario or users", a)
	}
}

func TestHeartbeatAnswersLeaseAndInterval(t *testing.T) {
	e := newEnv(t, Options{HeartbeatInterval: 500 * time.Millisecond, LeaseTTL: 4 * time.Second})
	resp, err := e.client.Heartbeat(e.ctx(), api.Heartbeat{ID: "w1", State: api.WorkerIdle})
	if err != nil {
		t.Fatal(err)
	}
	if resp.HeartbeatInterval.Std() != 500*time.Millisecond || resp.LeaseTTL.Std() != 4*time.Second {
		t.Fatalf("got interval %s, lease %s", resp.HeartbeatInterval, resp.LeaseTTL)
	}
}

func TestMetricsAddrWithoutHostTakesTheSender(t *testing.T) {
	e := newEnv(t, Options{})
	for id, addr := range map[string]string{"a": ":9464", "b": "0.0.0.0:9464", "c": "[::]:9464", "d": "10.1.2.3:9464"} {
		e.beat(api.Heartbeat{ID: id, MetricsAddr: addr})
	}
	ws, err := e.client.Workers(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "127.0.0.1:9464", "b": "127.0.0.1:9464", "c": "127.0.0.1:9464", "d": "10.1.2.3:9464"}
	for _, w := range ws {
		if w.MetricsAddr != want[w.ID] {
			t.Errorf("%s: metrics address %q, want %q", w.ID, w.MetricsAddr, want[w.ID])
		}
	}
}

func TestResolveMetricsAddr(t *testing.T) {
	tests := []struct{ addr, remote, want string }{
		{":9464", "10.0.0.5:43210", "10.0.0.5:9464"},
		{"0.0.0.0:9464", "10.0.0.5:43210", "10.0.0.5:9464"},
		{"[::]:9464", "[fd00::5]:43210", "[fd00::5]:9464"},
		{"worker-0.workers:9464", "10.0.0.5:43210", "worker-0.workers:9464"},
		{"10.0.0.9:9464", "10.0.0.5:43210", "10.0.0.9:9464"},
		{":9464", "not an address", ":9464"},
		{"", "10.0.0.5:43210", ""},
	}
	for _, tt := range tests {
		if got := resolveMetricsAddr(tt.addr, tt.remote); got != tt.want {
			t.Errorf("resolveMetricsAddr(%q, %q) = %q, want %q", tt.addr, tt.remote, got, tt.want)
		}
	}
}

func TestWorkerInfo(t *testing.T) {
	e := newEnv(t, Options{})
	e.beat(api.Heartbeat{ID: "w1", MetricsAddr: "127.0.0.1:9464", Version: "v1.2.3", RunID: "r0", Users: 7, Rate: 3.5, CPU: 0.42, Generation: 0})
	ws, err := e.client.Workers(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	want := api.WorkerInfo{ID: "w1", MetricsAddr: "127.0.0.1:9464", Version: "v1.2.3", RunID: "r0", State: api.WorkerRunning,
		Users: 7, Rate: 3.5, CPU: 0.42, LastHeartbeat: e.clock.Now(), Generation: 0}
	if len(ws) != 1 || !ws[0].LastHeartbeat.Equal(want.LastHeartbeat) {
		t.Fatalf("workers %+v, want [%+v]", ws, want)
	}
	ws[0].LastHeartbeat = want.LastHeartbeat
	if ws[0] != want {
		t.Fatalf("got %+v, want %+v", ws[0], want)
	}
	if st := e.status(); st.ActiveUsers != 7 || st.Rate != 3.5 {
		t.Fatalf("status: %d active users at %g/s, want 7 at 3.5/s", st.ActiveUsers, st.Rate)
	}
}
