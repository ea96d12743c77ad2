package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// The field's bug: a master that never hears from its workers again keeps
// counting them, so scaling 4 -> 1 -> 3 shows 6 workers. Here the lease
// drops the silent ones, and what is reported is exactly the live ones,
// whose shares add up to the target.
func TestScale4To1To3ShowsThreeWorkersNotSix(t *testing.T) {
	e := newEnv(t, Options{HeartbeatInterval: 2 * time.Second}) // lease TTL 6s
	e.startRun(api.RunRequest{Users: 10, SpawnRate: 5})
	hb := func(id string) api.Assignment {
		return e.beat(api.Heartbeat{ID: id, MetricsAddr: "127.0.0.1:9" + id[1:] + "00", RunID: "", State: api.WorkerRunning})
	}

	for _, id := range []string{"w1", "w2", "w3", "w4"} {
		hb(id)
	}
	assertWorkers(t, e, []string{"w1", "w2", "w3", "w4"})
	assertShares(t, e, hb, map[string]int{"w1": 3, "w2": 3, "w3": 2, "w4": 2}, 10)

	// Scale down to 1: w2..w4 go silent; w1 keeps heartbeating.
	for range 2 {
		e.clock.Advance(2 * time.Second)
		hb("w1")
		assertWorkers(t, e, []string{"w1", "w2", "w3", "w4"}) // still within their lease
	}
	e.clock.Advance(2 * time.Second) // 6s since w2..w4 were last heard from
	if a := hb("w1"); a.Users != 10 {
		t.Fatalf("the one worker left has %d users, want all 10", a.Users)
	}
	assertWorkers(t, e, []string{"w1"})
	if lost := value(t, e.c.metrics.lost); lost != 3 {
		t.Fatalf("workers_lost_total = %v, want 3", lost)
	}

	// Scale up to 3: two new workers join.
	hb("w5")
	hb("w6")
	assertWorkers(t, e, []string{"w1", "w5", "w6"})
	assertShares(t, e, hb, map[string]int{"w1": 4, "w5": 3, "w6": 3}, 10)
	if st := e.status(); st.Workers.Live != 3 || st.Workers.Desired != 3 || st.Workers.Ready != 3 {
		t.Fatalf("status shows %d live, %d desired, %d ready workers; want 3 of each (no scaler)", st.Workers.Live, st.Workers.Desired, st.Workers.Ready)
	}
}

// assertWorkers checks that /workers, /status and /sd all show exactly ids.
func assertWorkers(t *testing.T, e *env, ids []string) {
	t.Helper()
	if got := e.workerIDs(); fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("/workers lists %v, want %v", got, ids)
	}
	if st := e.status(); st.Workers.Live != len(ids) {
		t.Fatalf("/status shows %d live workers, want %d", st.Workers.Live, len(ids))
	}
	groups, err := e.client.ServiceDiscovery(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	var sd []string
	for _, g := range groups {
		sd = append(sd, g.Labels["worker"])
	}
	if fmt.Sprint(sd) != fmt.Sprint(ids) {
		t.Fatalf("/sd lists %v, want %v", sd, ids)
	}
	if got := value(t, e.c.metrics.live); got != float64(len(ids)) {
		t.Fatalf("stampede_controller_workers{state=live} = %v, want %d", got, len(ids))
	}
}

// assertShares heartbeats every worker in want and checks its users, and
// that they add up to total.
func assertShares(t *testing.T, e *env, hb func(string) api.Assignment, want map[string]int, total int) {
	t.Helper()
	sum := 0
	for id, users := range want {
		a := hb(id)
		if a.Users != users {
			t.Errorf("%s has %d users, want %d", id, a.Users, users)
		}
		sum += a.Users
	}
	if sum != total {
		t.Errorf("the shares add up to %d users, want %d", sum, total)
	}
}
