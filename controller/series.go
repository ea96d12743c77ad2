package controller

import (
	"encoding/json"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/metrics"
)

// Bounds of a run's time series.
const (
	// SampleInterval is how often a running run is sampled: merging costs
	// about 0.5 ms per worker, so never more often (never per heartbeat).
	SampleInterval = time.Second
	// MaxSeriesPoints bounds a run's series: when full, neighbouring
	// points are merged in pairs and sampling slows down by half, so a
	// run of any length fits, at a coarser grain the longer it goes.
	MaxSeriesPoints = 3600
)

// SeriesPoint is one sample of a run: cumulative counts at At, and the
// rates and latency quantiles of the interval that ends at At.
type SeriesPoint struct {
	At       time.Time `json:"at"`
	Seconds  float64   `json:"seconds"` // length of the interval
	Requests int64     `json:"requests"`
	Failures int64     `json:"failures"`
	RPS      float64   `json:"rps"`
	// ErrorsPerSecond counts failed requests.
	ErrorsPerSecond float64 `json:"errors_per_second"`
	// The latency quantiles of the requests of the interval, in
	// milliseconds; 0 when the interval had none. When the interval's
	// histogram cannot be told apart from the run's (a worker's stats went
	// backwards), they are the run's so far and Cumulative is set.
	P50MS       float64 `json:"p50_ms"`
	P95MS       float64 `json:"p95_ms"`
	P99MS       float64 `json:"p99_ms"`
	Cumulative  bool    `json:"cumulative,omitempty"`
	Users       int     `json:"users"`        // active, as the live workers report them
	TargetUsers int     `json:"target_users"` // what the run wants (closed model)
	Workers     int     `json:"workers"`      // live
}

// series is a run's samples; it lives in memory only, so a controller
// restart loses what was sampled before it. Guarded by Controller.seriesMu.
type series struct {
	runID  string
	points []SeriesPoint
	stride int // sample on every stride-th tick; doubles on every downsample
	ticks  int
	// prevCounts are the run's latency counts at the last sample, so that
	// the next one can take the interval's histogram as the difference.
	prevCounts *hdrhistogram.Snapshot
	prevAt     time.Time
	prev       SeriesPoint
}

// Series returns the time series of the current (or last) run, oldest
// first; empty before the first run. It lives in memory: a controller
// restart loses the samples before it.
func (c *Controller) Series() []SeriesPoint {
	c.seriesMu.Lock()
	defer c.seriesMu.Unlock()
	if c.series == nil || c.series.runID != runIDOf(c.currentRun()) {
		return []SeriesPoint{}
	}
	return slices.Clone(c.series.points)
}

// currentRun is the current run, or nil.
func (c *Controller) currentRun() *run {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run
}

// sample adds a point to the running run's series (and one last point
// after it stopped, once the workers' final stats are due), merging the
// workers' stats at most as often as Options.StatsMaxAge allows.
func (c *Controller) sample() {
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	r := c.run
	if r == nil {
		c.mu.Unlock()
		return
	}
	runID, state, startedAt := r.ID, r.State, r.StartedAt
	finalAt := r.StoppedAt.Add(c.opts.HeartbeatInterval + c.opts.HeartbeatInterval/2)
	users := 0
	for _, w := range c.workers {
		users += w.users
	}
	target, live := r.targetUsers(now), len(c.workers)
	c.mu.Unlock()

	c.seriesMu.Lock()
	defer c.seriesMu.Unlock()
	s := c.series
	if s == nil || s.runID != runID {
		s = &series{runID: runID, stride: 1}
		c.series = s
	}
	if state != api.RunRunning {
		// One last point with the final stats, then nothing more.
		if now.Before(finalAt) || (len(s.points) > 0 && !s.points[len(s.points)-1].At.Before(finalAt)) {
			return
		}
	} else {
		s.ticks++
		if s.ticks%s.stride != 0 {
			return
		}
	}
	// A merge from the last sample (a second ago) is too old for this one;
	// one that Status made since is not. The merge still happens at most
	// every 10 × its cost.
	sum, latency := c.mergedLatency(min(c.opts.StatsMaxAge, SampleInterval/2))
	if sum.RunID != runID {
		return
	}
	p := SeriesPoint{
		At: now, Requests: sum.Total.Requests, Failures: sum.Total.Failures,
		Users: users, TargetUsers: target, Workers: live,
	}
	prevAt := s.prevAt
	if prevAt.IsZero() {
		prevAt = startedAt
	}
	if p.Seconds = now.Sub(prevAt).Seconds(); p.Seconds > 0 {
		p.RPS = float64(max(p.Requests-s.prev.Requests, 0)) / p.Seconds
		p.ErrorsPerSecond = float64(max(p.Failures-s.prev.Failures, 0)) / p.Seconds
	}
	counts := exportCounts(latency)
	p50, p95, p99, cumulative := intervalQuantiles(s.prevCounts, counts)
	p.P50MS, p.P95MS, p.P99MS, p.Cumulative = p50, p95, p99, cumulative
	s.prevCounts, s.prevAt, s.prev = counts, now, p
	s.points = append(s.points, p)
	if len(s.points) >= MaxSeriesPoints {
		s.points = downsample(s.points)
		s.stride *= 2
	}
}

// exportCounts returns the counts of h, or nil for an empty or missing
// histogram. metrics.Histogram keeps its HdrHistogram to itself; its
// encoding is the way to the counts, about 0.1 ms once a second.
func exportCounts(h *metrics.Histogram) *hdrhistogram.Snapshot {
	if h.Count() == 0 {
		return nil
	}
	raw, err := h.MarshalJSON()
	if err != nil {
		return nil
	}
	var encoded string
	if json.Unmarshal(raw, &encoded) != nil {
		return nil
	}
	decoded, err := hdrhistogram.Decode([]byte(encoded))
	if err != nil {
		return nil
	}
	return decoded.Export()
}

// intervalQuantiles returns p50, p95 and p99 in milliseconds of the values
// recorded between prev and cur (cumulative counts of one geometry). When
// a count went down (a worker's stats were reset) it returns the
// quantiles of cur and cumulative true.
func intervalQuantiles(prev, cur *hdrhistogram.Snapshot) (p50, p95, p99 float64, cumulative bool) {
	if cur == nil {
		return 0, 0, 0, false
	}
	diff := *cur
	diff.Counts = slices.Clone(cur.Counts)
	if prev != nil {
		if len(prev.Counts) != len(cur.Counts) {
			cumulative = true
		} else {
			for i, n := range prev.Counts {
				diff.Counts[i] -= n
				if diff.Counts[i] < 0 {
					cumulative = true
					break
				}
			}
		}
	}
	if cumulative {
		diff.Counts = cur.Counts
	}
	h := hdrhistogram.Import(&diff)
	if h.TotalCount() == 0 {
		return 0, 0, 0, false
	}
	ms := func(q float64) float64 { return float64(h.ValueAtQuantile(q)) / 1000 }
	return ms(50), ms(95), ms(99), cumulative
}

// downsample merges neighbouring points in pairs: the later one's
// cumulative counts and gauges, the rates over both intervals, and the
// larger of the two latency quantiles (a pair's own quantiles are gone).
func downsample(points []SeriesPoint) []SeriesPoint {
	out := points[:0]
	for i := 0; i < len(points); i += 2 {
		if i+1 == len(points) {
			out = append(out, points[i])
			break
		}
		a, b := points[i], points[i+1]
		m := b
		m.Seconds = a.Seconds + b.Seconds
		if m.Seconds > 0 {
			m.RPS = (a.RPS*a.Seconds + b.RPS*b.Seconds) / m.Seconds
			m.ErrorsPerSecond = (a.ErrorsPerSecond*a.Seconds + b.ErrorsPerSecond*b.Seconds) / m.Seconds
		}
		m.P50MS, m.P95MS, m.P99MS = max(a.P50MS, b.P50MS), max(a.P95MS, b.P95MS), max(a.P99MS, b.P99MS)
		m.Cumulative = a.Cumulative || b.Cumulative
		out = append(out, m)
	}
	return out
}
