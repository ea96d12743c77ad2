package controller

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// apiError asserts that err is an *api.Error with status and field.
func apiError(t *testing.T, err error, status int, field string) {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) || e.Status != status || e.Field != field {
		t.Fatalf("got %v (%#v), want an API error %d about %q", err, e, status, field)
	}
}

func TestStartWhileRunningConflicts(t *testing.T) {
	e := newEnv(t, Options{})
	first := e.startRun(api.RunRequest{Users: 1})
	_, err := e.client.StartRun(e.ctx(), api.RunRequest{Scenario: testScenario, Users: 1})
	apiError(t, err, http.StatusConflict, "")
	if _, err := e.client.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.StartRun(e.ctx(), api.RunRequest{Scenario: testScenario, Users: 1, ID: first.ID})
	apiError(t, err, http.StatusConflict, "id")
	second := e.startRun(api.RunRequest{Users: 1, ID: "my-run.2"})
	if second.ID != "my-run.2" || second.State != api.RunRunning {
		t.Fatalf("second run %+v", second)
	}
}

func TestDurationStopsTheRun(t *testing.T) {
	e := newEnv(t, Options{})
	info := e.startRun(api.RunRequest{Users: 3, Duration: api.Duration(30 * time.Second)})
	if want := info.StartedAt.Add(30 * time.Second); !info.StopAt.Equal(want) {
		t.Fatalf("stop_at %s, want %s", info.StopAt, want)
	}
	if a := e.beat(api.Heartbeat{ID: "w1"}); !a.StopAt.Equal(info.StopAt) || a.State != api.AssignRunning {
		t.Fatalf("assignment %+v, want running until %s", a, info.StopAt)
	}
	e.clock.Advance(29 * time.Second)
	if st := e.status(); st.Run.State != api.RunRunning || st.TargetUsers != 3 {
		t.Fatalf("at 29s: %+v", st.Run)
	}
	e.clock.Advance(time.Second)
	st := e.status()
	if st.Run.State != api.RunStopped || !st.Run.StoppedAt.Equal(info.StopAt) || st.TargetUsers != 0 {
		t.Fatalf("at 30s: run %+v, target users %d; want stopped at %s", st.Run, st.TargetUsers, info.StopAt)
	}
	if a := e.beat(api.Heartbeat{ID: "w1"}); a.State != api.AssignStopped {
		t.Fatalf("assignment after the end: %+v", a)
	}
}

func TestStagesDriveTargetAndEnd(t *testing.T) {
	e := newEnv(t, Options{})
	info := e.startRun(api.RunRequest{Stages: api.Stages{
		{Duration: api.Duration(10 * time.Second), Target: 100},
		{Duration: api.Duration(10 * time.Second), Target: 100},
		{Duration: api.Duration(10 * time.Second), Target: 0},
	}})
	if info.Model != api.ModelClosed || !info.StopAt.Equal(info.StartedAt.Add(30*time.Second)) {
		t.Fatalf("run %+v", info)
	}
	for _, step := range []struct {
		after time.Duration
		users int
	}{{5 * time.Second, 50}, {10 * time.Second, 100}, {25 * time.Second, 50}} {
		e.clock.Advance(step.after - (e.clock.Now().Sub(info.StartedAt)))
		if st := e.status(); st.TargetUsers != step.users {
			t.Errorf("after %s: target users %d, want %d", step.after, st.TargetUsers, step.users)
		}
	}
	users := 5
	_, err := e.client.PatchRun(e.ctx(), api.RunPatch{Users: &users})
	apiError(t, err, http.StatusConflict, "")
	e.clock.Advance(5 * time.Second)
	if st := e.status(); st.Run.State != api.RunStopped {
		t.Fatalf("after the stages: %s", st.Run.State)
	}
}

func TestScenarioStagesAndThresholds(t *testing.T) {
	e := newEnv(t, Options{})
	yaml := testScenario + "stages:\n  - {duration: 1m, target: 9}\n"
	info := e.startRun(api.RunRequest{Scenario: yaml, Thresholds: []api.ThresholdJSON{{Metric: "http_req_duration", P: 95, Max: api.Duration(300 * time.Millisecond)}}})
	if len(info.Stages) != 1 || info.Stages[0].Target != 9 {
		t.Fatalf("the scenario's stages were not used: %+v", info.Stages)
	}
	want := []string{"http_req_failed rate < 10%", "http_req_duration p95 < 300ms"}
	if len(info.Thresholds) != 2 || info.Thresholds[0] != want[0] || info.Thresholds[1] != want[1] {
		t.Fatalf("thresholds %q, want %q", info.Thresholds, want)
	}
	if _, err := e.client.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	// Users given: the request wins over the scenario's stages.
	if info := e.startRun(api.RunRequest{Scenario: yaml, Users: 4}); len(info.Stages) != 0 || info.Users != 4 {
		t.Fatalf("run %+v", info)
	}
}

func TestPatchRun(t *testing.T) {
	e := newEnv(t, Options{})
	e.startRun(api.RunRequest{Users: 4, SpawnRate: 2})
	e.beat(api.Heartbeat{ID: "w1"})
	e.beat(api.Heartbeat{ID: "w2"})
	users, spawn, rate := 9, 3.0, 5.0
	info, err := e.client.PatchRun(e.ctx(), api.RunPatch{Users: &users, SpawnRate: &spawn})
	if err != nil || info.Users != 9 || info.SpawnRate != 3 {
		t.Fatalf("patch: %+v, %v", info, err)
	}
	if a := e.beat(api.Heartbeat{ID: "w1"}); a.Users != 5 || a.SpawnRate != 3.0*5/9 {
		t.Fatalf("w1 after the patch: %d users at %g/s", a.Users, a.SpawnRate)
	}
	_, err = e.client.PatchRun(e.ctx(), api.RunPatch{Rate: &rate})
	apiError(t, err, http.StatusBadRequest, "rate")

	if _, err := e.client.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	e.startRun(api.RunRequest{Rate: 10, MaxInFlight: 7})
	_, err = e.client.PatchRun(e.ctx(), api.RunPatch{Users: &users})
	apiError(t, err, http.StatusBadRequest, "users")
	if _, err := e.client.PatchRun(e.ctx(), api.RunPatch{Rate: &rate}); err != nil {
		t.Fatal(err)
	}
	if a := e.beat(api.Heartbeat{ID: "w2"}); a.Model != api.ModelOpen || a.Rate != 2.5 || a.MaxInFlight != 4 || a.Users != 0 {
		t.Fatalf("w2 in the open model: %+v", a)
	}
}

func TestInProcessCallsReturnAPIErrors(t *testing.T) {
	c, err := New(t.Context(), Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	apiError(t, c.StartRun(t.Context(), api.RunRequest{Scenario: testScenario, Users: -1}), 400, "users")
	apiError(t, c.StartRun(t.Context(), api.RunRequest{Scenario: "tasks: 3", Users: 1}), 400, "scenario")
	apiError(t, c.StopRun(t.Context()), 409, "")
	apiError(t, c.Scale(t.Context(), 2), 409, "replicas")
	if err := c.StartRun(t.Context(), api.RunRequest{Scenario: testScenario, Users: 1}); err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st.Run == nil || st.Run.State != api.RunRunning {
		t.Fatalf("status %+v", st)
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunLogsTheFinalThresholds(t *testing.T) {
	var logs syncBuffer
	e := newEnv(t, Options{Now: time.Now, HeartbeatInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.c.Run(ctx) })
	defer func() { stop(); wg.Wait() }()

	info := e.startRun(api.RunRequest{Users: 1, Duration: api.Duration(50 * time.Millisecond)})
	e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 10, 5, time.Millisecond)})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "run summary") {
		if time.Now().After(deadline) {
			t.Fatalf("no final summary logged within 5s:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{"run stopped", "its duration is over", `msg="threshold breached"`, `value=50%`, "passed=false"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the logs lack %q:\n%s", want, logs.String())
		}
	}
}
