package controller

import (
	"math"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

func TestShareOf(t *testing.T) {
	stages := func(targets ...float64) api.Stages {
		var s api.Stages
		for _, target := range targets {
			s = append(s, api.StageJSON{Duration: api.Duration(10 * time.Second), Target: target})
		}
		return s
	}
	tests := []struct {
		name string
		load load
		n    int
		want []share
	}{
		{"10 users over 3, spawn rate in proportion", load{Users: 10, SpawnRate: 6}, 3, []share{
			{Users: 4, SpawnRate: 2.4}, {Users: 3, SpawnRate: 1.8}, {Users: 3, SpawnRate: 1.8}}},
		{"2 users over 3", load{Users: 2, SpawnRate: 2}, 3, []share{
			{Users: 1, SpawnRate: 1}, {Users: 1, SpawnRate: 1}, {Users: 0, SpawnRate: 0}}},
		{"all to one", load{Users: 7, SpawnRate: 1}, 1, []share{{Users: 7, SpawnRate: 1}}},
		{"rate 100 over 3, max in flight rounded up", load{Model: api.ModelOpen, Rate: 100, MaxInFlight: 1000}, 3, []share{
			{Rate: 100.0 / 3, MaxInFlight: 334}, {Rate: 100.0 / 3, MaxInFlight: 334}, {Rate: 100.0 / 3, MaxInFlight: 334}}},
		{"closed stages split like users", load{Model: api.ModelClosed, Stages: stages(10, 5, 0), SpawnRate: 3}, 3, []share{
			{SpawnRate: 1, Stages: stages(4, 2, 0)}, {SpawnRate: 1, Stages: stages(3, 2, 0)}, {SpawnRate: 1, Stages: stages(3, 1, 0)}}},
		{"open stages split evenly", load{Model: api.ModelOpen, Stages: stages(90, 30)}, 3, []share{
			{Stages: stages(30, 10)}, {Stages: stages(30, 10)}, {Stages: stages(30, 10)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var users int
			var rate float64
			for i, want := range tt.want {
				got := shareOf(tt.load, i, tt.n)
				if !sameShare(got, want) {
					t.Errorf("worker %d of %d: got %+v, want %+v", i, tt.n, got, want)
				}
				users += got.Users
				rate += got.Rate
			}
			if users != tt.load.Users || math.Abs(rate-tt.load.Rate) > 1e-9 {
				t.Errorf("shares add up to %d users, rate %g; want %d, %g", users, rate, tt.load.Users, tt.load.Rate)
			}
		})
	}
	if got := shareOf(load{Users: 5}, 0, 0); !sameShare(got, share{}) {
		t.Errorf("share without workers: %+v", got)
	}
}

func sameShare(a, b share) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	if a.Users != b.Users || !near(a.SpawnRate, b.SpawnRate) || !near(a.Rate, b.Rate) || a.MaxInFlight != b.MaxInFlight || len(a.Stages) != len(b.Stages) {
		return false
	}
	for i := range a.Stages {
		if a.Stages[i].Duration != b.Stages[i].Duration || !near(a.Stages[i].Target, b.Stages[i].Target) {
			return false
		}
	}
	return true
}

func TestSharesOverHTTPBySortedID(t *testing.T) {
	e := newEnv(t, Options{})
	e.startRun(api.RunRequest{Users: 10, SpawnRate: 10})
	// Joining in reverse order: shares follow the sorted ids, not the order of arrival.
	for _, id := range []string{"c", "b", "a"} {
		e.beat(api.Heartbeat{ID: id})
	}
	for id, want := range map[string]int{"a": 4, "b": 3, "c": 3} {
		if a := e.beat(api.Heartbeat{ID: id}); a.Users != want || a.SpawnRate != float64(want) {
			t.Errorf("%s: %d users at %g/s, want %d at %d/s", id, a.Users, a.SpawnRate, want, want)
		}
	}
}

func TestGenerationGoesUpOnEveryChange(t *testing.T) {
	e := newEnv(t, Options{HeartbeatInterval: time.Second})
	gen := func() int64 { return e.status().Generation }
	last := gen()
	step := func(what string, change bool, do func()) {
		t.Helper()
		do()
		got := gen()
		switch {
		case change && got != last+1:
			t.Fatalf("%s: generation %d, want %d", what, got, last+1)
		case !change && got != last:
			t.Fatalf("%s: generation %d, want it to stay %d", what, got, last)
		}
		last = got
	}
	step("a worker joins", true, func() { e.beat(api.Heartbeat{ID: "w1"}) })
	step("a second one joins", true, func() { e.beat(api.Heartbeat{ID: "w2"}) })
	step("a heartbeat with nothing new", false, func() { e.beat(api.Heartbeat{ID: "w1", Users: 3}) })
	step("a run starts", true, func() { e.startRun(api.RunRequest{Users: 4}) })
	step("the run is patched", true, func() {
		users := 6
		if _, err := e.client.PatchRun(e.ctx(), api.RunPatch{Users: &users}); err != nil {
			t.Fatal(err)
		}
	})
	step("a worker leaves", true, func() {
		if err := e.client.Leave(e.ctx(), "w2"); err != nil {
			t.Fatal(err)
		}
	})
	step("it leaves again", false, func() {
		if err := e.client.Leave(e.ctx(), "w2"); err != nil {
			t.Fatal(err)
		}
	})
	step("a worker says it is stopping", true, func() {
		if a := e.beat(api.Heartbeat{ID: "w1", State: api.WorkerStopping}); a.State != api.AssignStopped || a.Users != 0 {
			t.Fatalf("a stopping worker got %+v, want state stopped and no users", a)
		}
	})
	step("a worker joins", true, func() { e.beat(api.Heartbeat{ID: "w3"}) })
	step("its lease ends", true, func() { e.clock.Advance(3 * time.Second) })
	step("the run stops", true, func() {
		if _, err := e.client.StopRun(e.ctx()); err != nil {
			t.Fatal(err)
		}
	})
	step("it is stopped again", false, func() {
		if _, err := e.client.StopRun(e.ctx()); err != nil {
			t.Fatal(err)
		}
	})
	// A worker ahead of the controller (which lost its state) pulls it forward.
	e.beat(api.Heartbeat{ID: "w4", Generation: 100})
	if g := gen(); g <= 100 {
		t.Fatalf("generation %d after a worker reported 100", g)
	}
}
