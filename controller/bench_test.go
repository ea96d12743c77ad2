package controller

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/metrics"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmark measures the handler.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }

// realisticSnapshot is the cumulative stats of a worker after a minute of
// the CRUD scenario: four endpoints and a task, thousands of samples.
func realisticSnapshot(runID string, rng *rand.Rand) *metrics.Snapshot {
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	s := &metrics.Snapshot{RunID: runID, Started: start, Taken: start.Add(time.Minute)}
	for _, m := range []string{"DELETE", "GET", "POST", "PUT"} {
		h := metrics.NewHistogram()
		for range 5000 {
			h.Record(time.Millisecond + time.Duration(rng.ExpFloat64()*float64(20*time.Millisecond)))
		}
		s.Endpoints = append(s.Endpoints, metrics.EndpointStats{Name: "/todo/[id]", Method: m, Requests: 5000, Failures: 3,
			Statuses: map[string]int64{"200": 4997, "error": 3}, Errors: map[string]int64{"timeout": 3}, Latency: h})
	}
	d := metrics.NewHistogram()
	for range 1250 {
		d.Record(2*time.Second + time.Duration(rng.ExpFloat64()*float64(time.Second)))
	}
	s.Tasks = []metrics.TaskStats{{Name: "crud", Iterations: 1250, Failed: 3, Duration: d}}
	return s
}

// heartbeatBodies encodes one heartbeat for each of n workers.
func heartbeatBodies(tb testing.TB, n int, runID, hash string, stats *metrics.Snapshot) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		hb := api.Heartbeat{
			ID: fmt.Sprintf("stampede-worker-%04d", i), MetricsAddr: fmt.Sprintf("10.0.%d.%d:9464", i/250, i%250),
			Version: "v0.1.0", RunID: runID, State: api.WorkerRunning, Users: 10, Rate: 5, CPU: 0.3,
			ScenarioHash: hash, Stats: stats,
		}
		data, err := json.Marshal(hb)
		if err != nil {
			tb.Fatal(err)
		}
		bodies[i] = data
	}
	return bodies
}

// BenchmarkHeartbeat measures the heartbeat handler over 1,000 distinct
// workers of a running run, without and with their cumulative stats.
func BenchmarkHeartbeat(b *testing.B) {
	c, err := New(b.Context(), Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.StartRun(b.Context(), api.RunRequest{Scenario: testScenario, Users: 10_000}); err != nil {
		b.Fatal(err)
	}
	st := c.Status()
	stats := realisticSnapshot(st.Run.ID, rand.New(rand.NewPCG(1, 2)))
	h := c.Handler()
	for _, bc := range []struct {
		name  string
		stats *metrics.Snapshot
	}{{"no_stats", nil}, {"with_stats", stats}} {
		bodies := heartbeatBodies(b, 1000, st.Run.ID, st.Run.ScenarioHash, bc.stats)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bodies[0])))
			b.ReportAllocs()
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				w := &discardWriter{h: http.Header{}}
				req, _ := http.NewRequest(http.MethodPost, api.PathHeartbeat, nil)
				req.RemoteAddr = "10.0.0.1:40000"
				for pb.Next() {
					body := bodies[next.Add(1)%int64(len(bodies))]
					req.Body = io.NopCloser(bytes.NewReader(body))
					clear(w.h)
					h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		})
	}
}

// BenchmarkMerge measures a Summary over 100 workers' stats.
func BenchmarkMerge(b *testing.B) {
	c, err := New(b.Context(), Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.StartRun(b.Context(), api.RunRequest{Scenario: testScenario, Users: 100}); err != nil {
		b.Fatal(err)
	}
	runID := c.Status().Run.ID
	stats := realisticSnapshot(runID, rand.New(rand.NewPCG(1, 2)))
	raw, err := json.Marshal(stats)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		c.heartbeat(api.Heartbeat{ID: fmt.Sprintf("w%03d", i), RunID: runID, State: api.WorkerRunning}, raw)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.mu.Lock()
		c.statsVersion++ // as if a heartbeat brought new stats
		c.mu.Unlock()
		if sum := c.Summary(); sum.Total.Requests != 100*20000 {
			b.Fatalf("%d requests", sum.Total.Requests)
		}
	}
}
