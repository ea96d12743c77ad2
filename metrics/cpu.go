package metrics

import (
	"sync"
	"time"
)

// cpuSampleInterval is the shortest time between two CPU samples: shorter
// windows would mostly measure scheduling noise.
const cpuSampleInterval = time.Second

// cpuSampler measures the process's CPU utilization as a fraction of its CPU
// quota: CPU seconds used since the previous sample, over the wall seconds
// between them, over the quota in cores. It samples when asked (a scrape, a
// heartbeat), at most once per cpuSampleInterval, so it needs no goroutine.
type cpuSampler struct {
	now        func() time.Time
	processCPU func() (time.Duration, error) // user + system time of the process
	quota      func() float64                // cores the process may use

	mu       sync.Mutex // guards the fields below
	lastWall time.Time
	lastCPU  time.Duration
	value    float64
}

func newCPUSampler(now func() time.Time, processCPU func() (time.Duration, error), quota func() float64) *cpuSampler {
	s := &cpuSampler{now: now, processCPU: processCPU, quota: quota, lastWall: now()}
	s.lastCPU, _ = processCPU() // on error the first sample covers the process's life so far
	return s
}

// sample returns the utilization since the previous sample, or the previous
// value when that was less than cpuSampleInterval ago or CPU time cannot be
// read.
func (s *cpuSampler) sample() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	wall := now.Sub(s.lastWall)
	if wall < cpuSampleInterval {
		return s.value
	}
	used, err := s.processCPU()
	if err != nil {
		return s.value
	}
	if cores := s.quota(); cores > 0 {
		u := (used - s.lastCPU).Seconds() / wall.Seconds() / cores
		// Sampling skew can push it a little past 1 (or below 0 if the clock
		// moved back); the contract is 0..1.
		s.value = max(0, min(u, 1))
	}
	s.lastWall, s.lastCPU = now, used
	return s.value
}
