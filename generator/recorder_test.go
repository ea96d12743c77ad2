package generator_test

import (
	"slices"
	"sync"
	"time"

	"github.com/stampedehq/stampede/generator"
)

// fakeRecorder keeps everything in memory, for assertions.
type fakeRecorder struct {
	mu          sync.Mutex
	requests    map[string][]request // "name METHOD" -> requests
	checks      map[string][2]int    // "name check" -> pass, fail
	iterations  map[string][2]int    // task -> ok, failed
	dropped     int
	users       []userSample
	usersTarget int
	rateTarget  float64
}

type request struct {
	status int
	reason string
	d      time.Duration
}

type userSample struct {
	at     time.Time
	active int
}

func newFakeRecorder() *fakeRecorder {
	return &fakeRecorder{requests: map[string][]request{}, checks: map[string][2]int{}, iterations: map[string][2]int{}}
}

func (f *fakeRecorder) Endpoint(name, method string, checks []string) generator.EndpointRecorder {
	return &fakeEndpoint{f: f, key: name + " " + method, name: name, checks: checks}
}

func (f *fakeRecorder) Task(name string) generator.TaskRecorder { return &fakeTask{f: f, name: name} }

func (f *fakeRecorder) DroppedIteration() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropped++
}

func (f *fakeRecorder) SetUsers(active int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = append(f.users, userSample{time.Now(), active})
}

func (f *fakeRecorder) SetUsersTarget(target int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.usersTarget = target
}

func (f *fakeRecorder) SetArrivalRateTarget(r float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rateTarget = r
}

// count returns the requests of an endpoint ("name METHOD") with a reason
// ("" for successes; "*" for all).
func (f *fakeRecorder) count(endpoint, reason string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests[endpoint] {
		if reason == "*" || r.reason == reason {
			n++
		}
	}
	return n
}

func (f *fakeRecorder) quantile(endpoint string, q float64) time.Duration {
	f.mu.Lock()
	ds := make([]time.Duration, 0, len(f.requests[endpoint]))
	for _, r := range f.requests[endpoint] {
		ds = append(ds, r.d)
	}
	f.mu.Unlock()
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

func (f *fakeRecorder) iterationCount(task string) (ok, failed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.iterations[task]
	return c[0], c[1]
}

func (f *fakeRecorder) droppedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

func (f *fakeRecorder) userSamples() []userSample {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.users)
}

type fakeEndpoint struct {
	f      *fakeRecorder
	key    string
	name   string
	checks []string
}

func (e *fakeEndpoint) Request(status int, reason string, d time.Duration, _, _ int64) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	e.f.requests[e.key] = append(e.f.requests[e.key], request{status, reason, d})
}

func (e *fakeEndpoint) Check(i int, passed bool) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	k := e.name + " " + e.checks[i]
	c := e.f.checks[k]
	if passed {
		c[0]++
	} else {
		c[1]++
	}
	e.f.checks[k] = c
}

type fakeTask struct {
	f    *fakeRecorder
	name string
}

func (t *fakeTask) Iteration(_ time.Duration, ok bool) {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	c := t.f.iterations[t.name]
	if ok {
		c[0]++
	} else {
		c[1]++
	}
	t.f.iterations[t.name] = c
}
