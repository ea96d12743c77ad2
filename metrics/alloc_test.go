package metrics_test

import (
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/metrics"
)

// TestHotPathAllocatesNothing pins the promise of the package doc: once a
// status code and reason have been seen, recording allocates nothing.
func TestHotPathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	r, _ := newRecorder(t, metrics.Options{})
	ep := r.Endpoint("create", "POST", []string{"status 201"})
	task := r.Task("crud")
	ep.Request(201, "", time.Millisecond, 10, 10)
	ep.Request(0, generator.ReasonTimeout, time.Second, 10, 0)

	tests := []struct {
		name string
		f    func()
	}{
		{"Request", func() { ep.Request(201, "", 3*time.Millisecond, 10, 10) }},
		{"Request failed", func() { ep.Request(0, generator.ReasonTimeout, time.Second, 10, 0) }},
		{"Check", func() { ep.Check(0, false) }},
		{"Iteration", func() { task.Iteration(time.Second, false) }},
		{"DroppedIteration", r.DroppedIteration},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tt.name, n)
		}
	}
}
