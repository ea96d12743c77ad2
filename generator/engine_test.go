package generator_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/demotarget"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func mustScenario(t *testing.T, target, yaml string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.WithTarget(target); err != nil {
		t.Fatal(err)
	}
	return sc
}

// run runs an engine to its end, bounded by a generous timeout so a bug
// cannot hang the suite.
func run(t *testing.T, opts generator.Options) *generator.Engine {
	t.Helper()
	e, err := generator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("run did not end by itself within 60s")
	}
	return e
}

// demoTarget serves the demo ToDo API on 127.0.0.1 for one test.
func demoTarget(t *testing.T, opts demotarget.Options) (*demotarget.Server, string) {
	t.Helper()
	srv, err := demotarget.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

const crud = `
name: crud
tasks:
  - name: crud
    steps:
      - name: create
        request: {method: POST, path: /todo, json: {Description: "{{ lorem 3 }}", Completed: false}}
        extract: {id: Id}
        check: {status: 201}
      - name: /todo/[id]
        request: {method: GET, path: "/todo/{{ .id }}"}
        check: {status: 200}
      - name: /todo/[id]
        request: {method: DELETE, path: "/todo/{{ .id }}"}
        check: {status: 204}
`

func TestClosedModelCountsMatchWhatTheTargetServed(t *testing.T) {
	srv, url := demoTarget(t, demotarget.Options{})
	rec := newFakeRecorder()
	run(t, generator.Options{Scenario: mustScenario(t, url, crud), Recorder: rec, Users: 5, Iterations: 200})

	stats := srv.Stats()
	for endpoint, route := range map[string]string{"create POST": "POST /todo", "/todo/[id] GET": "GET /todo/{id}", "/todo/[id] DELETE": "DELETE /todo/{id}"} {
		var served int64
		for _, n := range stats.Routes[route] {
			served += n
		}
		if got := rec.count(endpoint, "*"); int64(got) != served || got != 200 {
			t.Errorf("%s: recorded %d, target served %d, want 200 each", endpoint, got, served)
		}
		if failed := rec.count(endpoint, "*") - rec.count(endpoint, ""); failed != 0 {
			t.Errorf("%s: %d failures against a healthy target", endpoint, failed)
		}
	}
	if ok, failed := rec.iterationCount("crud"); ok != 200 || failed != 0 {
		t.Errorf("iterations ok=%d failed=%d, want exactly the budget of 200", ok, failed)
	}
	if stats.Items != 0 {
		t.Errorf("%d items left: some iteration did not finish", stats.Items)
	}
}

func TestClosedModelRampsUpAtTheSpawnRateAndDown(t *testing.T) {
	_, url := demoTarget(t, demotarget.Options{})
	rec := newFakeRecorder()
	sc := mustScenario(t, url, `
name: ramp
think_time: {constant: 50ms}
tasks:
  - name: t
    steps:
      - {name: hello, request: {path: /hello}}
`)
	e, err := generator.New(generator.Options{Scenario: sc, Recorder: rec, Users: 10, SpawnRate: 20, GracefulRampDown: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()

	waitFor(t, "10 users", func() bool { return e.ActiveUsers() == 10 })
	samples := rec.userSamples()
	first, tenth := samples[0].at, time.Time{}
	for _, s := range samples {
		if s.active == 10 {
			tenth = s.at
			break
		}
	}
	// 10 users at 20/s: the first at once, the tenth no sooner than 9/20 s later.
	if took := tenth.Sub(first); took < 450*time.Millisecond-5*time.Millisecond {
		t.Errorf("10 users started in %s: faster than the spawn rate allows (450ms)", took)
	}
	if err := e.SetUsers(3, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "3 users", func() bool { return e.ActiveUsers() == 3 })
	if err := e.SetRate(5); err == nil {
		t.Error("SetRate on a closed model: no error")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.ActiveUsers(); got != 0 {
		t.Errorf("%d users still active after Run returned", got)
	}
}

func TestRampDownLetsUsersFinishTheirIteration(t *testing.T) {
	srv, url := demoTarget(t, demotarget.Options{})
	rec := newFakeRecorder()
	sc := mustScenario(t, url, strings.Replace(crud, "tasks:", "think_time: {constant: 30ms}\ntasks:", 1))
	e, err := generator.New(generator.Options{Scenario: sc, Recorder: rec, Users: 6, GracefulRampDown: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "some iterations", func() bool { ok, _ := rec.iterationCount("crud"); return ok > 20 })
	if err := e.SetUsers(0, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all users gone", func() bool { return e.ActiveUsers() == 0 })
	cancel()
	<-done
	creates, deletes := rec.count("create POST", "*"), rec.count("/todo/[id] DELETE", "*")
	if creates != deletes || srv.Stats().Items != 0 {
		t.Errorf("creates=%d deletes=%d items left=%d: a removed user did not finish its iteration", creates, deletes, srv.Stats().Items)
	}
}

func TestOpenModelHoldsTheRate(t *testing.T) {
	_, url := demoTarget(t, demotarget.Options{})
	rec := newFakeRecorder()
	sc := mustScenario(t, url, `
name: hello
tasks:
  - name: t
    steps:
      - {name: hello, request: {path: /hello}}
`)
	const rate, seconds = 200.0, 3
	run(t, generator.Options{Scenario: sc, Recorder: rec, Rate: rate, MaxInFlight: 50, Duration: seconds * time.Second})
	ok, failed := rec.iterationCount("t")
	want := rate * seconds
	if got := float64(ok + failed + rec.droppedCount()); got < want*0.95 || got > want*1.05 {
		t.Errorf("%v arrivals in %ds at %v/s, want %v ± 5%%", got, seconds, rate, want)
	}
	if rec.droppedCount() != 0 || failed != 0 {
		t.Errorf("dropped %d, failed %d against an idle target", rec.droppedCount(), failed)
	}
}

func TestOpenModelCountsDroppedArrivals(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	rec := newFakeRecorder()
	sc := mustScenario(t, slow.URL, `
name: slow
tasks:
  - name: t
    steps:
      - {name: slow, request: {path: /}}
`)
	run(t, generator.Options{Scenario: sc, Recorder: rec, Rate: 100, MaxInFlight: 2, Duration: 2 * time.Second})
	ok, _ := rec.iterationCount("t")
	// 2 slots of 200ms each serve at most 10/s; 100/s arrive.
	if rec.droppedCount() < 100 {
		t.Errorf("dropped %d arrivals (ran %d), want most of ~200 dropped", rec.droppedCount(), ok)
	}
	if ok > 30 {
		t.Errorf("ran %d iterations with 2 slots of 200ms in 2s, want at most ~20", ok)
	}
}

func TestStalledTargetShowsInOpenModelLatencyOnly(t *testing.T) {
	sc := `
name: stall
tasks:
  - name: t
    steps:
      - {name: hello, request: {path: /hello}}
`
	stall := demotarget.Stall{Every: 2 * time.Second, For: 600 * time.Millisecond}

	_, url := demoTarget(t, demotarget.Options{Stall: stall})
	open := newFakeRecorder()
	run(t, generator.Options{Scenario: mustScenario(t, url, sc), Recorder: open, Rate: 100, MaxInFlight: 200, Duration: 4500 * time.Millisecond})

	_, url = demoTarget(t, demotarget.Options{Stall: stall})
	closedRec := newFakeRecorder()
	run(t, generator.Options{Scenario: mustScenario(t, url, sc), Recorder: closedRec, Users: 4, Duration: 4500 * time.Millisecond})

	openP99, closedP99 := open.quantile("hello GET", 0.99), closedRec.quantile("hello GET", 0.99)
	t.Logf("p99 open model %s, closed model %s", openP99, closedP99)
	// Arrivals during a 600ms stall wait up to 600ms from their intended start.
	if openP99 < 400*time.Millisecond {
		t.Errorf("open model p99 %s does not show the 600ms stall", openP99)
	}
	// Four closed users each wait once per stall: a handful among thousands.
	if closedP99 > openP99/3 {
		t.Errorf("closed model p99 %s: want it far below the open model's %s (coordinated omission)", closedP99, openP99)
	}
}

func TestFailuresAreClassifiedAndTheUsersGoOn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused

	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.URL.Path {
		case "/slow":
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		case "/500":
			w.WriteHeader(500)
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name": "x"}`)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name, target, step, endpoint, reason string
	}{
		{"refused", deadURL, `{name: s, request: {path: /}}`, "s GET", generator.ReasonRefused},
		{"timeout", srv.URL, `{name: s, request: {path: /slow}}`, "s GET", generator.ReasonTimeout},
		{"status without a status check", srv.URL, `{name: s, request: {path: /500}}`, "s GET", generator.ReasonStatus},
		{"failed status check", srv.URL, `{name: s, request: {path: /json}, check: {status: 201}}`, "s GET", generator.ReasonCheck},
		{"failed extraction", srv.URL, `{name: s, request: {path: /json}, extract: {id: Id}}`, "s GET", generator.ReasonCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFakeRecorder()
			sc := mustScenario(t, tt.target, "name: f\ntasks:\n  - name: t\n    steps:\n      - "+tt.step+"\n")
			run(t, generator.Options{Scenario: sc, Recorder: rec, Users: 2, Iterations: 6, RequestTimeout: 100 * time.Millisecond})
			if got := rec.count(tt.endpoint, tt.reason); got != 6 {
				t.Errorf("%d requests with reason %q, want all 6 (the users go on after a failure)", got, tt.reason)
			}
			if _, failed := rec.iterationCount("t"); failed != 6 {
				t.Errorf("%d failed iterations, want 6", failed)
			}
		})
	}
}

func TestAFailedExtractionAbortsTheIteration(t *testing.T) {
	srv, url := demoTarget(t, demotarget.Options{ErrorRate: 1})
	rec := newFakeRecorder()
	run(t, generator.Options{Scenario: mustScenario(t, url, crud), Recorder: rec, Users: 1, Iterations: 3})
	if got := rec.count("create POST", generator.ReasonCheck); got != 3 {
		t.Errorf("create: %d check failures, want 3", got)
	}
	if got := rec.count("/todo/[id] GET", "*"); got != 0 {
		t.Errorf("%d reads sent without an id to read", got)
	}
	if n := srv.Stats().Total; n != 3 {
		t.Errorf("target served %d requests, want only the 3 creates", n)
	}
}

func TestStopCancelsInFlightRequestsAfterTheGracePeriod(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	rec := newFakeRecorder()
	sc := mustScenario(t, hang.URL, "name: h\ntasks:\n  - name: t\n    steps:\n      - {name: h, request: {path: /}}\n")
	start := time.Now()
	run(t, generator.Options{Scenario: sc, Recorder: rec, Users: 3, Duration: 200 * time.Millisecond, GracefulStop: 300 * time.Millisecond, RequestTimeout: time.Minute})
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("run took %s: the grace period did not cancel the hanging requests", took)
	}
	if got := rec.count("h GET", "*"); got != 0 {
		t.Errorf("%d cancelled requests were recorded; cancelled by us is not a target failure", got)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	sc := mustScenario(t, "http://127.0.0.1:1", "name: x\ntasks:\n  - name: t\n    steps:\n      - {name: s, request: {path: /}}\n")
	rec := newFakeRecorder()
	tests := []struct {
		name string
		opts generator.Options
		want string
	}{
		{"no scenario", generator.Options{Recorder: rec}, "no scenario"},
		{"no recorder", generator.Options{Scenario: sc}, "no Recorder"},
		{"negative users", generator.Options{Scenario: sc, Recorder: rec, Users: -1}, "users: -1"},
		{"both models", generator.Options{Scenario: sc, Recorder: rec, Users: 5, Rate: 3}, "not both"},
		{"bad stage", generator.Options{Scenario: sc, Recorder: rec, Stages: []scenario.Stage{{Duration: 0, Target: 3}}}, "stages[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generator.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// waitFor polls cond for up to 20s.
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

func TestStagesRampUsersAndEndTheRun(t *testing.T) {
	_, url := demoTarget(t, demotarget.Options{})
	sc := mustScenario(t, url, `
name: stages
think_time: {constant: 20ms}
tasks:
  - name: t
    steps:
      - {name: hello, request: {path: /hello}}
`)
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprintf("open=%v", open), func(t *testing.T) {
			rec := newFakeRecorder()
			stages := []scenario.Stage{{Duration: 600 * time.Millisecond, Target: 8}, {Duration: 600 * time.Millisecond, Target: 8}, {Duration: 600 * time.Millisecond, Target: 0}}
			start := time.Now()
			run(t, generator.Options{Scenario: sc, Recorder: rec, Open: open, MaxInFlight: 20, Stages: stages, GracefulRampDown: time.Second})
			if took := time.Since(start); took < 1800*time.Millisecond {
				t.Errorf("run ended after %s, before its stages (1.8s)", took)
			}
			if open {
				if rec.rateTarget != 0 {
					t.Errorf("rate target %v at the end of the stages, want 0", rec.rateTarget)
				}
				if ok, _ := rec.iterationCount("t"); ok < 4 {
					t.Errorf("%d iterations from a ramp to 8/s", ok)
				}
				return
			}
			peak := 0
			for _, s := range rec.userSamples() {
				peak = max(peak, s.active)
			}
			if peak != 8 {
				t.Errorf("users peaked at %d, want the stage target 8", peak)
			}
			if rec.usersTarget != 0 {
				t.Errorf("users target %d at the end, want 0", rec.usersTarget)
			}
		})
	}
}
