package metrics_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/metrics"
)

// BenchmarkRecordRequest measures the hot path of every request: the target
// is under 300ns and no allocation.
func BenchmarkRecordRequest(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		r, _ := newRecorder(b, metrics.Options{})
		ep := r.Endpoint("/todo/[id]", "GET", []string{"status 200"})
		ep.Request(200, "", time.Millisecond, 100, 1000)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			ep.Request(200, "", time.Duration(i%100_000)*time.Microsecond, 100, 1000)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		r, _ := newRecorder(b, metrics.Options{})
		ep := r.Endpoint("/todo/[id]", "GET", []string{"status 200"})
		ep.Request(200, "", time.Millisecond, 100, 1000)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				ep.Request(200, "", time.Duration(i%100_000)*time.Microsecond, 100, 1000)
			}
		})
	})
	b.Run("failure", func(b *testing.B) {
		r, _ := newRecorder(b, metrics.Options{})
		ep := r.Endpoint("/todo/[id]", "GET", nil)
		ep.Request(0, generator.ReasonTimeout, time.Second, 100, 0)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			ep.Request(0, generator.ReasonTimeout, time.Second, 100, 0)
		}
	})
}

func BenchmarkRecordCheck(b *testing.B) {
	r, _ := newRecorder(b, metrics.Options{})
	ep := r.Endpoint("create", "POST", []string{"status 201", "has id"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ep.Check(i&1, i&2 == 0)
	}
}

func BenchmarkRecordIteration(b *testing.B) {
	r, _ := newRecorder(b, metrics.Options{})
	task := r.Task("crud")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		task.Iteration(time.Duration(i%1000)*time.Millisecond, i%50 != 0)
	}
}

func BenchmarkDroppedIteration(b *testing.B) {
	r, _ := newRecorder(b, metrics.Options{})
	b.ReportAllocs()
	for b.Loop() {
		r.DroppedIteration()
	}
}

// BenchmarkSnapshotJSON measures what a heartbeat costs a worker with the
// largest number of endpoints: a snapshot and its JSON.
func BenchmarkSnapshotJSON(b *testing.B) {
	r, _ := newRecorder(b, metrics.Options{})
	lat := integerLatencies(1000, 1)
	for i := range metrics.DefaultMaxEndpoints {
		ep := r.Endpoint(fmt.Sprintf("/step/%d", i), "GET", []string{"ok"})
		for _, d := range lat {
			ep.Request(200, "", d, 100, 1000)
		}
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		data, err := json.Marshal(r.Snapshot())
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "bytes/snapshot")
}
