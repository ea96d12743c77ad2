package main

import (
	"sort"
	"time"
)

// quantile is a latency quantile a tool reports: 0.5 for p50, 1 for the max.
type quantile float64

const (
	p50  quantile = 0.5
	p90  quantile = 0.9
	p95  quantile = 0.95
	p99  quantile = 0.99
	pMax quantile = 1
)

// result is one client run as the tool reports it, plus what the harness
// measured around it (CPU and wall time of the client process).
type result struct {
	requests     int64   // requests completed
	errors       int64   // failed requests (transport errors, non-2xx) as the tool counts them
	rps          float64 // requests per second
	iterations   int64   // scenario iterations (CRUD flows), 0 when the tool has none
	iterPerSec   float64
	latency      map[quantile]time.Duration // as the tool reports it; missing ones print as –
	checksFailed int64
	dropped      int64 // open model: arrivals not started (no free VU, or past max in flight)
	scrapes      int   // stampede: /metrics scrapes answered during the run

	cpu  time.Duration // user+sys CPU time of the client process
	wall time.Duration // from start to exit of the client process
}

// cpuShare is the client's CPU time over its wall time: 1 is one full core.
func (r result) cpuShare() float64 {
	if r.wall <= 0 {
		return 0
	}
	return r.cpu.Seconds() / r.wall.Seconds()
}

// setLatency records a quantile, creating the map when needed.
func (r *result) setLatency(q quantile, d time.Duration) {
	if r.latency == nil {
		r.latency = make(map[quantile]time.Duration)
	}
	r.latency[q] = d
}

// medianByRate returns the run with the median requests/s (the lower middle
// one for an even count): with -rounds > 1 a table row is one real run, not
// a blend of several.
func medianByRate(runs []result) result {
	if len(runs) == 0 {
		return result{}
	}
	sorted := append([]result(nil), runs...)
	sort.SliceStable(sorted, func(i, j int) bool { return rate(sorted[i]) < rate(sorted[j]) })
	return sorted[(len(sorted)-1)/2]
}

// rate is what a run is ranked by: iterations/s when it has iterations.
func rate(r result) float64 {
	if r.iterPerSec > 0 {
		return r.iterPerSec
	}
	return r.rps
}
