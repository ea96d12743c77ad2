package metrics

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// taskRecorder records one task's iterations; Task returns the same one for
// the same name.
type taskRecorder struct {
	inst        *instruments
	name        string
	recordOpts  []metric.RecordOption
	observeOpts []metric.ObserveOption

	mu         sync.Mutex // guards the fields below
	iterations int64
	failed     int64
	duration   *Histogram
}

func newTaskRecorder(inst *instruments, name string) *taskRecorder {
	opt := metric.WithAttributeSet(attribute.NewSet(attribute.String(LabelTask, name)))
	return &taskRecorder{
		inst:        inst,
		name:        name,
		recordOpts:  []metric.RecordOption{opt},
		observeOpts: []metric.ObserveOption{opt},
		duration:    NewHistogram(),
	}
}

// Iteration records one finished iteration; ok is false when it failed.
func (t *taskRecorder) Iteration(d time.Duration, ok bool) {
	t.mu.Lock()
	t.iterations++
	if !ok {
		t.failed++
	}
	t.duration.Record(d)
	t.mu.Unlock()

	t.inst.iterationDuration.Record(context.Background(), d.Seconds(), t.recordOpts...)
}

// observe reports the task's counters. Failed iterations show from the
// start, at 0, so that a ratio of failed to all has data all along.
func (t *taskRecorder) observe(o metric.Observer) {
	t.mu.Lock()
	iterations, failed := t.iterations, t.failed
	t.mu.Unlock()
	o.ObserveInt64(t.inst.iterations, iterations, t.observeOpts...)
	o.ObserveInt64(t.inst.iterationsFailed, failed, t.observeOpts...)
}

func (t *taskRecorder) stats() TaskStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return TaskStats{Name: t.name, Iterations: t.iterations, Failed: t.failed, Duration: t.duration.Clone()}
}
