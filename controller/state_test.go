package controller

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"

	"github.com/stampedehq/stampede/controller/api"
)

func TestFileStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	store := FileStore{Path: filepath.Join(dir, "state.json")}
	fresh, err := store.Load(t.Context())
	if err != nil || fresh.Version != StateVersion || fresh.Run != nil {
		t.Fatalf("missing file: %+v, %v; want a fresh state", fresh, err)
	}
	replicas := 3
	want := &State{
		Version: StateVersion, Generation: 42, Replicas: &replicas,
		Run: &RunState{
			ID: "r1", Request: api.RunRequest{Scenario: testScenario, Users: 5, Duration: api.Duration(time.Minute)},
			State: api.RunRunning, Model: api.ModelClosed, Users: 6, SpawnRate: 1.5,
			Stages:    api.Stages{{Duration: api.Duration(time.Second), Target: 2}},
			StartedAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), StopAt: time.Date(2026, 11, 24, 12, 1, 0, 0, time.UTC),
		},
		Workers: []WorkerState{{ID: "w1", MetricsAddr: "127.0.0.1:9464", State: api.WorkerRunning, RunID: "r1", Generation: 41}},
		Stats:   map[string]json.RawMessage{"w1": json.RawMessage(`{"run_id":"r1"}`)},
	}
	for range 2 { // the second save replaces the first
		if err := store.Save(t.Context(), want); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the directory: %v", entries)
	}
}

func TestFileStoreErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"version": 1, "run": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.json")
	if err := os.WriteFile(newer, []byte(`{"version": 99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{corrupt, newer} {
		_, err := FileStore{Path: path}.Load(t.Context())
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s): %v, want an error naming the file", path, err)
		}
		if _, err := New(t.Context(), Options{Store: FileStore{Path: path}, Logger: quietLogger()}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("New with %s: %v, want an error naming the file", path, err)
		}
	}
	missingDir := filepath.Join(dir, "no", "such", "dir", "state.json")
	if err := (FileStore{Path: missingDir}).Save(t.Context(), &State{Version: StateVersion}); err == nil || !strings.Contains(err.Error(), missingDir) {
		t.Errorf("Save into a missing directory: %v", err)
	}
}

// A controller restarted on the same state file has the run back before it
// answers, and workers carry on with their cumulative stats, counted once.
func TestRestartKeepsTheRunAndCountsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clock := fakeclock.New()
	opts := Options{Store: FileStore{Path: path}, Now: clock.Now, Logger: quietLogger(), HeartbeatInterval: 20 * time.Millisecond, LeaseTTL: time.Hour}

	first := newEnv(t, opts)
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = first.c.Run(ctx) })
	info := first.startRun(api.RunRequest{Users: 6})
	first.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Stats: snapshot(info.ID, 100, 0, time.Millisecond)})
	first.beat(api.Heartbeat{ID: "w2", RunID: info.ID, Stats: snapshot(info.ID, 200, 0, time.Millisecond)})
	first.beat(api.Heartbeat{ID: "w3", RunID: info.ID, Stats: snapshot(info.ID, 50, 0, time.Millisecond)})
	first.beat(api.Heartbeat{ID: "w3", RunID: info.ID, State: api.WorkerStopping, Stats: snapshot(info.ID, 70, 0, time.Millisecond)})
	if err := first.client.Leave(first.ctx(), "w3"); err != nil {
		t.Fatal(err)
	}
	before := first.status()
	stop()
	wg.Wait()

	second := newEnv(t, opts)
	st := second.status() // its first answer
	if st.Run == nil || st.Run.ID != info.ID || st.Run.State != api.RunRunning || st.Run.Users != 6 {
		t.Fatalf("the restarted controller's first status: %+v", st.Run)
	}
	if st.Generation != before.Generation || st.Workers.Live != 2 {
		t.Fatalf("restarted with generation %d and %d workers, want %d and 2", st.Generation, st.Workers.Live, before.Generation)
	}
	if got := second.c.Summary().Total.Requests; got != 370 {
		t.Fatalf("restored stats: %d requests, want 100+200+70", got)
	}
	// The workers carry on: same run, same shares, cumulative stats replaced, not added.
	a := second.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Generation: before.Generation, Stats: snapshot(info.ID, 150, 0, time.Millisecond)})
	if a.RunID != info.ID || a.Users != 3 || a.Generation != before.Generation {
		t.Fatalf("w1's assignment after the restart: %+v", a)
	}
	second.beat(api.Heartbeat{ID: "w2", RunID: info.ID, Generation: before.Generation, Stats: snapshot(info.ID, 200, 0, time.Millisecond)})
	if got := second.c.Summary().Total.Requests; got != 150+200+70 {
		t.Fatalf("after the restart: %d requests, want 420", got)
	}
}

func TestWorkerChangesAreSavedByRun(t *testing.T) {
	store := &MemoryStore{}
	e := newEnv(t, Options{Store: store, Now: time.Now, HeartbeatInterval: 20 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.c.Run(ctx) })
	defer func() { stop(); wg.Wait() }()
	e.beat(api.Heartbeat{ID: "w1"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := store.Load(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Workers) == 1 && st.Workers[0].ID == "w1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the joined worker was not saved within 5s: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The sweeper ends the lease without anyone asking.
	deadline = time.Now().Add(5 * time.Second)
	for value(t, e.c.metrics.lost) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the lease of a silent worker did not end within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReadyzGoesDownWhenRunEnds(t *testing.T) {
	c, err := New(t.Context(), Options{Logger: quietLogger(), HeartbeatInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	e := &env{t: t, c: c, srv: srv}
	if got := e.send("GET", "/readyz", "", nil); got.status != 200 {
		t.Fatalf("readyz %d", got.status)
	}
	ctx, stop := context.WithCancel(t.Context())
	stop()
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.send("GET", "/readyz", "", nil); got.status != 503 {
		t.Fatalf("readyz after Run ended: %d", got.status)
	}
	if got := e.send("GET", "/healthz", "", nil); got.status != 200 {
		t.Fatalf("healthz %d", got.status)
	}
}

func TestStateWithABadRunNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := State{Version: StateVersion, Run: &RunState{ID: "r1", State: api.RunRunning, Request: api.RunRequest{Scenario: "tasks: 3"}}}
	if err := (FileStore{Path: path}).Save(t.Context(), &st); err != nil {
		t.Fatal(err)
	}
	_, err := New(t.Context(), Options{Store: FileStore{Path: path}, Logger: quietLogger()})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "run r1") {
		t.Fatalf("New: %v, want an error naming the file and the run", err)
	}
}
