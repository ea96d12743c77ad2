package metrics_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stampedehq/stampede/metrics"
)

// latencies returns n latencies in whole microseconds from a long-tailed
// (log-normal) distribution around 20ms, reproducibly.
func latencies(n int, seed uint64) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]time.Duration, n)
	for i := range out {
		us := math.Exp(math.Log(20_000) + 1.2*rng.NormFloat64())
		out[i] = time.Duration(max(1, int64(us))) * time.Microsecond
	}
	return out
}

// exactQuantile is the value of rank ceil(q*n) in sorted.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func TestHistogramQuantileAccuracy(t *testing.T) {
	values := latencies(100_000, 7)
	h := metrics.NewHistogram()
	for _, v := range values {
		h.Record(v)
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		exact, got := exactQuantile(sorted, q), h.Quantile(q)
		if relErr := math.Abs(float64(got-exact)) / float64(exact); relErr > 0.01 {
			t.Errorf("q%v: %v, exact %v: error %.2f%% > 1%%", q, got, exact, 100*relErr)
		}
	}
	if got, exact := h.Max(), sorted[len(sorted)-1]; math.Abs(float64(got-exact))/float64(exact) > 0.01 {
		t.Errorf("max %v, exact %v", got, exact)
	}
	if got, exact := h.Min(), sorted[0]; math.Abs(float64(got-exact))/float64(exact) > 0.01 {
		t.Errorf("min %v, exact %v", got, exact)
	}
	var sum time.Duration
	for _, v := range values {
		sum += v
	}
	if got, exact := h.Mean(), sum/time.Duration(len(values)); math.Abs(float64(got-exact))/float64(exact) > 0.01 {
		t.Errorf("mean %v, exact %v", got, exact)
	}
	if h.Count() != int64(len(values)) {
		t.Errorf("count %d, want %d", h.Count(), len(values))
	}
}

func TestHistogramEdges(t *testing.T) {
	tests := []struct {
		name   string
		record []time.Duration
		count  int64
		max    time.Duration // within 1%
	}{
		{"empty", nil, 0, 0},
		{"below a microsecond counts as 0", []time.Duration{500 * time.Nanosecond}, 1, 0},
		{"negative counts as 0", []time.Duration{-time.Second}, 1, 0},
		{"an hour", []time.Duration{time.Hour}, 1, time.Hour},
		{"beyond an hour clamps to an hour", []time.Duration{5 * time.Hour}, 1, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h metrics.Histogram // the zero value works
			for _, d := range tt.record {
				h.Record(d)
			}
			if h.Count() != tt.count {
				t.Errorf("count %d, want %d", h.Count(), tt.count)
			}
			if got := h.Max(); math.Abs(float64(got-tt.max)) > 0.01*float64(tt.max) {
				t.Errorf("max %v, want %v", got, tt.max)
			}
			if tt.count == 0 && (h.Quantile(0.5) != 0 || h.Mean() != 0 || h.Min() != 0) {
				t.Errorf("empty histogram: p50 %v mean %v min %v, want 0", h.Quantile(0.5), h.Mean(), h.Min())
			}
		})
	}
	var nilHist *metrics.Histogram
	if nilHist.Count() != 0 || nilHist.Quantile(0.5) != 0 || nilHist.Max() != 0 {
		t.Error("a nil histogram is not empty")
	}
}

func TestHistogramQuantileClamps(t *testing.T) {
	h := metrics.NewHistogram()
	h.Record(time.Millisecond)
	h.Record(time.Second)
	if h.Quantile(-1) != h.Quantile(0) || h.Quantile(2) != h.Quantile(1) {
		t.Errorf("q out of [0,1] not clamped: %v %v", h.Quantile(-1), h.Quantile(2))
	}
}

// TestHistogramMerge checks that merged quantiles equal those of one
// histogram that recorded everything.
func TestHistogramMerge(t *testing.T) {
	a, b, all := metrics.NewHistogram(), metrics.NewHistogram(), metrics.NewHistogram()
	for i, v := range latencies(20_000, 3) {
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
		all.Record(v)
	}
	a.Merge(b)
	a.Merge(nil)
	a.Merge(&metrics.Histogram{})
	if a.Count() != all.Count() {
		t.Fatalf("count %d, want %d", a.Count(), all.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v: merged %v, all %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
}

func TestHistogramJSON(t *testing.T) {
	h := metrics.NewHistogram()
	for _, v := range latencies(10_000, 11) {
		h.Record(v)
	}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), `"`) {
		t.Fatalf("not a JSON string: %.40s", data)
	}
	t.Logf("10000 values encode to %d bytes of JSON; a histogram's counts take %d bytes in memory",
		len(data), hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 2).ByteSize())
	var back metrics.Histogram
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Count() != h.Count() || back.Quantile(0.99) != h.Quantile(0.99) || back.Max() != h.Max() {
		t.Errorf("round trip: count %d p99 %v max %v, want %d %v %v",
			back.Count(), back.Quantile(0.99), back.Max(), h.Count(), h.Quantile(0.99), h.Max())
	}
	again, err := json.Marshal(&back)
	if err != nil || string(again) != string(data) {
		t.Errorf("encoding is not stable across a round trip (err %v)", err)
	}
}

func TestHistogramUnmarshalRejects(t *testing.T) {
	foreign, err := hdrhistogram.New(1, 1_000_000, 3).Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, json, want string
	}{
		{"not a string", `42`, "want a base64 string"},
		{"not base64", `"%%%"`, "not base64"},
		{"too short", `"AAAA"`, "too short"},
		{"other geometry", `"` + string(foreign) + `"`, "range 1..1000000µs at 3 digits"},
		{"too long", `"` + strings.Repeat("A", 2<<20) + `"`, "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h metrics.Histogram
			err := json.Unmarshal([]byte(tt.json), &h)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one containing %q", err, tt.want)
			}
		})
	}
}
