package metrics

import (
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"
)

func TestCPUQuota(t *testing.T) {
	tests := []struct {
		dir    string // under testdata/cgroup: self is /proc/self/cgroup, fs the cgroup mount
		numCPU int
		want   float64
	}{
		{"v2_limited", 4, 1.5},        // the process's own cgroup has the limit
		{"v2_parent_tighter", 4, 0.5}, // an ancestor's limit binds
		{"v2_namespaced", 4, 2.5},     // cgroup namespace: the container is the root
		{"v2_unlimited", 4, 4},        // "max": the CPUs it may run on
		{"v2_above_cpus", 2, 2},       // a quota above the CPUs it may run on
		{"v2_garbage", 3, 3},          // unreadable limits are no limits
		{"v1_container", 8, 2},        // host path in self, own cgroup at the mount root
		{"v1_unlimited", 6, 6},        // quota -1
		{"none", 2, 2},                // no cgroup files at all
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "cgroup", tt.dir)
			q := cpuQuota{
				cgroupFS:   filepath.Join(dir, "fs"),
				selfCgroup: filepath.Join(dir, "self"),
				numCPU:     func() int { return tt.numCPU },
			}
			if got := q.cores(); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("cores %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSystemCPUQuota(t *testing.T) {
	if got := systemCPUQuota(); got <= 0 {
		t.Errorf("quota of this process %v cores, want > 0", got)
	}
}

// fakeCPU is a process whose CPU time and clock the test moves.
type fakeCPU struct {
	wall time.Time
	cpu  time.Duration
	err  error
}

func (f *fakeCPU) now() time.Time                     { return f.wall }
func (f *fakeCPU) processCPU() (time.Duration, error) { return f.cpu, f.err }
func (f *fakeCPU) step(wall, cpu time.Duration)       { f.wall = f.wall.Add(wall); f.cpu += cpu }
func twoCores() float64                               { return 2 }

func TestCPUSampler(t *testing.T) {
	f := &fakeCPU{wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), cpu: 5 * time.Second}
	s := newCPUSampler(f.now, f.processCPU, twoCores)

	steps := []struct {
		name      string
		wall, cpu time.Duration
		err       error
		want      float64
	}{
		{"before a second has passed: nothing yet", 500 * time.Millisecond, 400 * time.Millisecond, nil, 0},
		{"one core of two over 2s", 1500 * time.Millisecond, 1600 * time.Millisecond, nil, 0.5},
		{"within a second of the last sample: cached", 200 * time.Millisecond, 400 * time.Millisecond, nil, 0.5},
		{"skew past the quota clamps to 1", 1 * time.Second, 3 * time.Second, nil, 1},
		{"idle", 4 * time.Second, 0, nil, 0},
		{"CPU time unreadable: last value", 2 * time.Second, time.Second, errors.New("no rusage"), 0},
		{"readable again: average since the last good sample", 2 * time.Second, time.Second, nil, 0.25},
	}
	for _, st := range steps {
		f.step(st.wall, st.cpu)
		f.err = st.err
		if got := s.sample(); math.Abs(got-st.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", st.name, got, st.want)
		}
	}
}

func TestProcessCPUTime(t *testing.T) {
	before, err := processCPUTime()
	if err != nil {
		t.Skipf("no process CPU time here: %v", err)
	}
	// Burn a little CPU, bounded in count.
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	after, err := processCPUTime()
	if err != nil || after < before || x == 0 {
		t.Errorf("CPU time went from %v to %v (err %v)", before, after, err)
	}
}
