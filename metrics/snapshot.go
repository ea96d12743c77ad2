package metrics

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Snapshot is a copy of a run's cumulative stats on one worker, or merged
// over many. It is what a worker sends the controller in its heartbeats:
// being cumulative, a lost heartbeat loses nothing. It round-trips through
// JSON.
type Snapshot struct {
	RunID     string          `json:"run_id"`
	Started   time.Time       `json:"started"`
	Taken     time.Time       `json:"taken"`
	Endpoints []EndpointStats `json:"endpoints"` // sorted by Name, then Method
	Tasks     []TaskStats     `json:"tasks"`     // sorted by Name
	Checks    []CheckStats    `json:"checks"`    // sorted by Endpoint, then Name
	Dropped   int64           `json:"dropped_iterations"`
}

// EndpointStats are the cumulative stats of one endpoint (step name and
// method).
type EndpointStats struct {
	Name          string           `json:"name"`
	Method        string           `json:"method"`
	Requests      int64            `json:"requests"`
	Failures      int64            `json:"failures"` // requests with an error reason
	Statuses      map[string]int64 `json:"statuses"` // by status code, "error" when no response
	Errors        map[string]int64 `json:"errors"`   // by reason
	SentBytes     int64            `json:"sent_bytes"`
	ReceivedBytes int64            `json:"received_bytes"`
	Latency       *Histogram       `json:"latency"`
}

// TaskStats are the cumulative stats of one task's iterations.
type TaskStats struct {
	Name       string     `json:"name"`
	Iterations int64      `json:"iterations"`
	Failed     int64      `json:"failed"`
	Duration   *Histogram `json:"duration"`
}

// CheckStats count the outcomes of one check of one endpoint (over all its
// methods).
type CheckStats struct {
	Endpoint string `json:"endpoint"`
	Name     string `json:"name"`
	Passed   int64  `json:"passed"`
	Failed   int64  `json:"failed"`
}

// The JSON shape of a Snapshot, with its histograms encoded beforehand.
type (
	snapshotJSON struct {
		RunID     string              `json:"run_id"`
		Started   time.Time           `json:"started"`
		Taken     time.Time           `json:"taken"`
		Endpoints []endpointStatsJSON `json:"endpoints"`
		Tasks     []taskStatsJSON     `json:"tasks"`
		Checks    []CheckStats        `json:"checks"`
		Dropped   int64               `json:"dropped_iterations"`
	}
	endpointStatsJSON struct {
		EndpointStats
		Latency json.RawMessage `json:"latency"` // hides EndpointStats.Latency
	}
	taskStatsJSON struct {
		TaskStats
		Duration json.RawMessage `json:"duration"` // hides TaskStats.Duration
	}
)

// MarshalJSON writes s with the field names in its tags; each histogram is
// a string (see Histogram). All the histograms share one encoder, which
// saves allocating a compressor per histogram on every heartbeat.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	var enc histogramEncoder
	out := snapshotJSON{
		RunID: s.RunID, Started: s.Started, Taken: s.Taken, Dropped: s.Dropped,
		Endpoints: make([]endpointStatsJSON, len(s.Endpoints)),
		Tasks:     make([]taskStatsJSON, len(s.Tasks)),
		Checks:    nonNil(s.Checks),
	}
	var err error
	for i, e := range s.Endpoints {
		out.Endpoints[i].EndpointStats = e
		if out.Endpoints[i].Latency, err = e.Latency.marshalJSON(&enc); err != nil {
			return nil, fmt.Errorf("endpoint %s %s: %w", e.Name, e.Method, err)
		}
	}
	for i, t := range s.Tasks {
		out.Tasks[i].TaskStats = t
		if out.Tasks[i].Duration, err = t.Duration.marshalJSON(&enc); err != nil {
			return nil, fmt.Errorf("task %s: %w", t.Name, err)
		}
	}
	return json.Marshal(out)
}

// Merge adds o's stats to s: counts are summed, histograms merged, Started
// becomes the earlier and Taken the later of the two. o is left unchanged and
// shares nothing with s afterwards.
func (s *Snapshot) Merge(o *Snapshot) {
	if o == nil {
		return
	}
	if o == s {
		o = s.clone()
	}
	if s.RunID == "" {
		s.RunID = o.RunID
	}
	if s.Started.IsZero() || (!o.Started.IsZero() && o.Started.Before(s.Started)) {
		s.Started = o.Started
	}
	if o.Taken.After(s.Taken) {
		s.Taken = o.Taken
	}
	s.Dropped += o.Dropped
	s.Endpoints = mergeSorted(s.Endpoints, o.Endpoints, compareEndpoints, (*EndpointStats).add, EndpointStats.clone)
	s.Tasks = mergeSorted(s.Tasks, o.Tasks, compareTasks, (*TaskStats).add, TaskStats.clone)
	s.Checks = mergeSorted(s.Checks, o.Checks, compareChecks, (*CheckStats).add, CheckStats.clone)
}

// clone returns a copy of s that shares nothing with it.
func (s *Snapshot) clone() *Snapshot {
	c := *s
	c.Endpoints = cloneAll(s.Endpoints, EndpointStats.clone)
	c.Tasks = cloneAll(s.Tasks, TaskStats.clone)
	c.Checks = slices.Clone(s.Checks)
	return &c
}

func cloneAll[T any](s []T, clone func(T) T) []T {
	out := make([]T, len(s))
	for i, x := range s {
		out[i] = clone(x)
	}
	return out
}

// Total returns the stats of all endpoints merged, named "total".
func (s *Snapshot) Total() EndpointStats {
	t := EndpointStats{Name: "total"}
	t.init()
	for _, e := range s.Endpoints {
		t.add(e)
	}
	return t
}

// endpoint returns the stats of every endpoint named name merged over their
// methods, and whether there is any.
func (s *Snapshot) endpoint(name string) (EndpointStats, bool) {
	t := EndpointStats{Name: name}
	t.init()
	found := false
	for _, e := range s.Endpoints {
		if e.Name == name {
			t.add(e)
			found = true
		}
	}
	return t, found
}

// init makes e's maps and histogram, so that add can fill them.
func (e *EndpointStats) init() {
	if e.Statuses == nil {
		e.Statuses = map[string]int64{}
	}
	if e.Errors == nil {
		e.Errors = map[string]int64{}
	}
	if e.Latency == nil {
		e.Latency = NewHistogram()
	}
}

func (e *EndpointStats) add(o EndpointStats) {
	e.init()
	e.Requests += o.Requests
	e.Failures += o.Failures
	e.SentBytes += o.SentBytes
	e.ReceivedBytes += o.ReceivedBytes
	for k, v := range o.Statuses {
		e.Statuses[k] += v
	}
	for k, v := range o.Errors {
		e.Errors[k] += v
	}
	e.Latency.Merge(o.Latency)
}

// clone returns a copy of e that shares nothing with it.
func (e EndpointStats) clone() EndpointStats {
	e.Statuses = maps.Clone(e.Statuses)
	e.Errors = maps.Clone(e.Errors)
	e.Latency = e.Latency.Clone()
	e.init()
	return e
}

func (t *TaskStats) add(o TaskStats) {
	if t.Duration == nil {
		t.Duration = NewHistogram()
	}
	t.Iterations += o.Iterations
	t.Failed += o.Failed
	t.Duration.Merge(o.Duration)
}

func (t TaskStats) clone() TaskStats {
	t.Duration = t.Duration.Clone()
	return t
}

func (c *CheckStats) add(o CheckStats) {
	c.Passed += o.Passed
	c.Failed += o.Failed
}

func (c CheckStats) clone() CheckStats { return c }

func compareEndpoints(a, b EndpointStats) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Method, b.Method))
}

func compareTasks(a, b TaskStats) int { return cmp.Compare(a.Name, b.Name) }

func compareChecks(a, b CheckStats) int {
	return cmp.Or(cmp.Compare(a.Endpoint, b.Endpoint), cmp.Compare(a.Name, b.Name))
}

// mergeSorted merges b into a and returns the result sorted by compare:
// elements equal under compare are added with add, the others are inserted
// as copies made by clone, so that a shares no maps or histograms with b.
// a is sorted first, since it may come from JSON.
func mergeSorted[T any](a, b []T, compare func(T, T) int, add func(*T, T), clone func(T) T) []T {
	slices.SortFunc(a, compare)
	for _, x := range b {
		i, found := slices.BinarySearchFunc(a, x, compare)
		if found {
			add(&a[i], x)
		} else {
			a = slices.Insert(a, i, clone(x))
		}
	}
	return a
}
