package metrics_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stampedehq/stampede/metrics"
)

// FuzzHistogramUnmarshal feeds the JSON histogram parser anything: it must
// not panic, and what it accepts must survive a round trip.
func FuzzHistogramUnmarshal(f *testing.F) {
	h := metrics.NewHistogram()
	for _, v := range latencies(100, 5) {
		h.Record(v)
	}
	valid, err := json.Marshal(h)
	if err != nil {
		f.Fatal(err)
	}
	empty, err := json.Marshal(metrics.NewHistogram())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{string(valid), string(empty), `""`, `null`, `"HISTFAAAAB"`, `{}`, `"\u0041"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var h metrics.Histogram
		if err := json.Unmarshal(data, &h); err != nil {
			return
		}
		again, err := json.Marshal(&h)
		if err != nil {
			t.Fatalf("accepted input does not marshal: %v", err)
		}
		var back metrics.Histogram
		if err := json.Unmarshal(again, &back); err != nil {
			t.Fatalf("own output rejected: %v", err)
		}
		if back.Count() != h.Count() || back.Max() != h.Max() {
			t.Fatalf("round trip: count %d max %v, want %d %v", back.Count(), back.Max(), h.Count(), h.Max())
		}
		h.Record(time.Millisecond) // an accepted histogram is usable
	})
}
