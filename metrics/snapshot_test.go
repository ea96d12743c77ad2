package metrics_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/metrics"
)

// event is one thing a worker records.
type event struct {
	endpoint, method string
	status           int
	reason           string
	d                time.Duration
	check            bool
	task             string
	dropped          bool
}

// integerLatencies returns n latencies from 1ms up with a long tail, made
// with integer arithmetic only so that golden files are the same on every
// architecture.
func integerLatencies(n int, seed uint64) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]time.Duration, n)
	for i := range out {
		us := 1000 + rng.Uint64N(40_000)
		switch r := rng.Uint64N(100); {
		case r == 0:
			us *= 40
		case r < 10:
			us *= 5
		}
		out[i] = time.Duration(us) * time.Microsecond
	}
	return out
}

// workload returns a reproducible mix of events over three endpoints, two
// methods of one of them, two tasks and checks.
func workload(n int, seed uint64) []event {
	lat := integerLatencies(n, seed)
	out := make([]event, n)
	for i := range out {
		e := event{endpoint: "/todo/[id]", method: "GET", status: 200, d: lat[i], check: true, task: "crud"}
		switch i % 7 {
		case 0:
			e.endpoint, e.method, e.status = "create", "POST", 201
		case 1:
			e.method = "PUT"
		case 2:
			e.status, e.reason, e.check = 0, generator.ReasonTimeout, false
		case 3:
			e.status, e.reason = 500, generator.ReasonStatus
		case 4:
			e.endpoint, e.task = "list", "browse"
		case 5:
			e.dropped = true
		}
		out[i] = e
	}
	return out
}

func replay(r *metrics.Recorder, events []event) {
	for _, e := range events {
		if e.dropped {
			r.DroppedIteration()
			continue
		}
		ep := r.Endpoint(e.endpoint, e.method, []string{"status ok"})
		ep.Request(e.status, e.reason, e.d, 150, 900)
		ep.Check(0, e.check)
		r.Task(e.task).Iteration(3*e.d, e.reason == "")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSnapshotJSONRoundTrip(t *testing.T) {
	clk := fakeclock.New()
	r, _ := newRecorder(t, metrics.Options{RunID: "r1", Now: clk.Now})
	replay(r, workload(5000, 1))
	clk.Advance(time.Minute)
	s := r.Snapshot()

	data := mustJSON(t, s)
	var back metrics.Snapshot
	if err := json.Unmarshal([]byte(data), &back); err != nil {
		t.Fatal(err)
	}
	if again := mustJSON(t, &back); again != data {
		t.Errorf("round trip changed the snapshot:\n%s\n%s", data, again)
	}
	if !back.Started.Equal(s.Started) || !back.Taken.Equal(s.Taken) || back.Dropped != s.Dropped || back.RunID != "r1" {
		t.Errorf("round trip: %v %v %d %q", back.Started, back.Taken, back.Dropped, back.RunID)
	}
	if got, want := back.Total().Latency.Quantile(0.95), s.Total().Latency.Quantile(0.95); got != want {
		t.Errorf("p95 after round trip %v, want %v", got, want)
	}
	t.Logf("snapshot of %d endpoints, %d tasks, %d checks: %d bytes of JSON", len(s.Endpoints), len(s.Tasks), len(s.Checks), len(data))
}

// TestSnapshotMerge checks that merging two workers' snapshots equals one
// worker recording everything, so the controller's fleet-wide stats are
// exact.
func TestSnapshotMerge(t *testing.T) {
	events := workload(6000, 2)
	clk := fakeclock.New()
	one, _ := newRecorder(t, metrics.Options{RunID: "r", Now: clk.Now})
	two, _ := newRecorder(t, metrics.Options{RunID: "r", Now: clk.Now})
	all, _ := newRecorder(t, metrics.Options{RunID: "r", Now: clk.Now})
	replay(one, events[:2000])
	replay(two, events[2000:])
	replay(all, events)
	clk.Advance(time.Minute)

	merged := one.Snapshot()
	// Through JSON, as heartbeats carry them.
	var fromTwo metrics.Snapshot
	if err := json.Unmarshal([]byte(mustJSON(t, two.Snapshot())), &fromTwo); err != nil {
		t.Fatal(err)
	}
	merged.Merge(&fromTwo)
	if got, want := mustJSON(t, merged), mustJSON(t, all.Snapshot()); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	// The merged snapshot shares nothing with what was merged into it.
	before := mustJSON(t, &fromTwo)
	merged.Endpoints[0].Latency.Record(time.Second)
	merged.Endpoints[0].Statuses["200"]++
	if mustJSON(t, &fromTwo) != before {
		t.Error("Merge shares maps or histograms with its argument")
	}
}

func TestSnapshotMergeTimesAndDisjoint(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &metrics.Snapshot{Started: t0.Add(time.Second), Taken: t0.Add(time.Minute),
		Endpoints: []metrics.EndpointStats{{Name: "b", Method: "GET", Requests: 1}}}
	b := &metrics.Snapshot{RunID: "r", Started: t0, Taken: t0.Add(30 * time.Second), Dropped: 2,
		Endpoints: []metrics.EndpointStats{{Name: "a", Method: "GET", Requests: 2}, {Name: "b", Method: "GET", Requests: 3}},
		Tasks:     []metrics.TaskStats{{Name: "t", Iterations: 4}},
		Checks:    []metrics.CheckStats{{Endpoint: "a", Name: "ok", Passed: 5}}}
	a.Merge(b)
	a.Merge(nil)
	if !a.Started.Equal(t0) || !a.Taken.Equal(t0.Add(time.Minute)) || a.RunID != "r" || a.Dropped != 2 {
		t.Errorf("merged run %q %v..%v dropped %d", a.RunID, a.Started, a.Taken, a.Dropped)
	}
	if len(a.Endpoints) != 2 || a.Endpoints[0].Name != "a" || a.Endpoints[0].Requests != 2 || a.Endpoints[1].Requests != 4 {
		t.Errorf("endpoints %+v", a.Endpoints)
	}
	if len(a.Tasks) != 1 || a.Tasks[0].Iterations != 4 || len(a.Checks) != 1 || a.Checks[0].Passed != 5 {
		t.Errorf("tasks %+v checks %+v", a.Tasks, a.Checks)
	}
	total := a.Total()
	if total.Name != "total" || total.Requests != 6 {
		t.Errorf("total %+v", total)
	}

	// Merging a snapshot into itself doubles it.
	a.Merge(a)
	if a.Endpoints[1].Requests != 8 || a.Dropped != 4 {
		t.Errorf("self merge: %+v dropped %d", a.Endpoints, a.Dropped)
	}
}
