package worker_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/internal/demotarget"
	"github.com/stampedehq/stampede/worker"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const scenarioText = `
name: w
think_time: {constant: 20ms}
tasks:
  - name: t
    steps:
      - {name: /hello, request: {path: /hello}}
`

// fakeController hands out whatever assignment the test sets and keeps the
// heartbeats it got.
type fakeController struct {
	mu     sync.Mutex
	assign api.Assignment
	down   bool
	beats  []api.Heartbeat
	left   []string
}

func (f *fakeController) Heartbeat(_ context.Context, hb api.Heartbeat) (api.HeartbeatResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return api.HeartbeatResponse{}, errors.New("connection refused")
	}
	f.beats = append(f.beats, hb)
	a := f.assign
	if hb.ScenarioHash == a.ScenarioHash {
		a.Scenario = "" // sent only when the worker's hash differs
	}
	return api.HeartbeatResponse{HeartbeatInterval: api.Duration(20 * time.Millisecond), LeaseTTL: api.Duration(time.Second), Assignment: a}, nil
}

func (f *fakeController) Leave(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left = append(f.left, id)
	return nil
}

func (f *fakeController) set(fn func(a *api.Assignment)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.assign)
}

func (f *fakeController) last() api.Heartbeat {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.beats) == 0 {
		return api.Heartbeat{}
	}
	return f.beats[len(f.beats)-1]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func setup(t *testing.T, orphan time.Duration) (*fakeController, *worker.Worker, func()) {
	t.Helper()
	srv, err := demotarget.New(demotarget.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	fc := &fakeController{assign: api.Assignment{State: api.AssignIdle}}
	w, err := worker.New(worker.Options{ID: "w-1", Controller: fc, MetricsAddr: "127.0.0.1:9464", OrphanTimeout: orphan, HeartbeatInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	fc.set(func(a *api.Assignment) {
		*a = api.Assignment{RunID: "r1", Generation: 1, State: api.AssignRunning, Users: 4, SpawnRate: 0, ScenarioHash: "h1", Scenario: scenarioText, Target: ts.URL}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return fc, w, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		ts.Close()
	}
}

func TestWorkerFollowsItsAssignments(t *testing.T) {
	fc, _, stop := setup(t, time.Minute)
	waitFor(t, "4 users reported", func() bool {
		hb := fc.last()
		return hb.Users == 4 && hb.State == api.WorkerRunning && hb.RunID == "r1"
	})
	waitFor(t, "cumulative stats", func() bool { hb := fc.last(); return hb.Stats != nil && hb.Stats.Total().Requests > 10 })

	fc.set(func(a *api.Assignment) { a.Generation, a.Users = 2, 1 })
	waitFor(t, "the new share of 1 user", func() bool { hb := fc.last(); return hb.Users == 1 && hb.Generation == 2 })

	fc.set(func(a *api.Assignment) { a.Generation, a.State = 3, api.AssignStopped })
	waitFor(t, "idle after the stop", func() bool { hb := fc.last(); return hb.State == api.WorkerIdle && hb.Users == 0 })
	before := fc.last().Stats.Total().Requests
	time.Sleep(100 * time.Millisecond)
	if after := fc.last().Stats.Total().Requests; after != before || fc.last().RunID != "r1" {
		t.Errorf("stopped worker: requests %d -> %d, run %q; want the final stats of r1, unchanged", before, after, fc.last().RunID)
	}
	stop()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(fc.left) != 1 || fc.left[0] != "w-1" {
		t.Errorf("left = %v, want the worker to leave once", fc.left)
	}
	if final := fc.beats[len(fc.beats)-1]; final.State != api.WorkerStopping || final.Stats == nil {
		t.Errorf("final heartbeat %+v: want state stopping with the stats", final.State)
	}
}

func TestScenarioIsSentOnlyOnce(t *testing.T) {
	fc, _, stop := setup(t, time.Minute)
	defer stop()
	waitFor(t, "several heartbeats", func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return len(fc.beats) > 5 })
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for i, hb := range fc.beats[1:] {
		if hb.ScenarioHash != "h1" {
			t.Fatalf("heartbeat %d reports scenario hash %q, want h1 once it has the scenario", i+1, hb.ScenarioHash)
		}
	}
}

func TestOrphanedWorkerStopsItsLoadAndResumes(t *testing.T) {
	fc, _, stop := setup(t, 200*time.Millisecond)
	defer stop()
	waitFor(t, "load", func() bool { return fc.last().Users == 4 })
	fc.mu.Lock()
	fc.down = true
	fc.mu.Unlock()
	time.Sleep(600 * time.Millisecond) // past the orphan timeout
	fc.mu.Lock()
	fc.down = false
	seen := len(fc.beats)
	fc.mu.Unlock()
	// The first heartbeat back reports what the worker did while orphaned:
	// it stopped its load (idle) but kept its run's stats.
	waitFor(t, "a heartbeat after the outage", func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return len(fc.beats) > seen })
	fc.mu.Lock()
	var sawIdle bool
	for _, hb := range fc.beats[seen:] {
		if hb.State == api.WorkerIdle && hb.RunID == "r1" {
			sawIdle = true
		}
	}
	fc.mu.Unlock()
	if !sawIdle {
		t.Error("the worker never reported idle: it kept its load past the orphan timeout")
	}
	waitFor(t, "the load back on the same run", func() bool { hb := fc.last(); return hb.State == api.WorkerRunning && hb.Users == 4 })
}

func TestNewRejectsBadIDs(t *testing.T) {
	_, err := worker.New(worker.Options{ID: "bad id!", Controller: &fakeController{}})
	if err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("err = %v", err)
	}
	if _, err := worker.New(worker.Options{ID: "ok"}); err == nil {
		t.Error("no controller: no error")
	}
	if id := worker.DefaultID(); api.ValidWorkerID(id) != nil {
		t.Errorf("DefaultID %q is not a valid id", id)
	}
}
