package controller

import (
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

func TestSeriesSamplesIntervals(t *testing.T) {
	e := newEnv(t, Options{StatsMaxAge: -1})
	info := e.startRun(api.RunRequest{Users: 4})
	steps := []struct {
		requests, failures int
		latency            time.Duration
		wantRPS, wantP50   float64
	}{
		{requests: 100, latency: 10 * time.Millisecond, wantRPS: 100, wantP50: 10},
		{requests: 300, failures: 20, latency: 50 * time.Millisecond, wantRPS: 200, wantP50: 50},
		{requests: 300, failures: 20, latency: 50 * time.Millisecond, wantRPS: 0, wantP50: 0},
	}
	hist := snapshot(info.ID, 0, 0, 0)
	for i, st := range steps {
		s := snapshot(info.ID, st.requests, st.failures, st.latency)
		if i > 0 && st.requests > steps[i-1].requests {
			// Cumulative: the earlier values stay, the new ones come on top.
			prev := snapshot(info.ID, steps[i-1].requests, steps[i-1].failures, steps[i-1].latency)
			more := snapshot(info.ID, st.requests-steps[i-1].requests, st.failures-steps[i-1].failures, st.latency)
			prev.Merge(more)
			s = prev
		} else if i > 0 {
			s = hist
		}
		hist = s
		e.clock.Advance(time.Second)
		e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Users: 4, Stats: s})
		e.c.sample()
	}
	pts := e.c.Series()
	if len(pts) != len(steps) {
		t.Fatalf("%d points, want %d: %+v", len(pts), len(steps), pts)
	}
	for i, st := range steps {
		p := pts[i]
		if p.RPS != st.wantRPS || !near(p.P50MS, st.wantP50) || p.Cumulative {
			t.Errorf("point %d: rps %v p50 %vms cumulative %v; want rps %v p50 ~%vms", i, p.RPS, p.P50MS, p.Cumulative, st.wantRPS, st.wantP50)
		}
		if p.Workers != 1 || p.Users != 4 || p.TargetUsers != 4 {
			t.Errorf("point %d: workers %d users %d/%d, want 1 and 4/4", i, p.Workers, p.Users, p.TargetUsers)
		}
	}
	if pts[1].ErrorsPerSecond != 20 {
		t.Errorf("errors per second %v, want 20", pts[1].ErrorsPerSecond)
	}
}

func TestSeriesStopsAfterFinalPoint(t *testing.T) {
	e := newEnv(t, Options{StatsMaxAge: -1})
	info := e.startRun(api.RunRequest{Users: 1})
	e.clock.Advance(time.Second)
	e.c.sample()
	if err := e.c.StopRun(e.ctx()); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		e.clock.Advance(time.Second)
		e.c.sample()
	}
	if n := len(e.c.Series()); n != 2 {
		t.Errorf("%d points after the stop, want the one before and one final: %+v", n, e.c.Series())
	}
	// A new run starts a new series.
	e.startRun(api.RunRequest{Users: 1, ID: info.ID + "-2"})
	if n := len(e.c.Series()); n != 0 {
		t.Errorf("new run: %d points, want 0", n)
	}
}

func TestSeriesIsBounded(t *testing.T) {
	e := newEnv(t, Options{StatsMaxAge: -1})
	e.startRun(api.RunRequest{Users: 1})
	for range 3 * MaxSeriesPoints {
		e.clock.Advance(time.Second)
		e.c.sample()
	}
	pts := e.c.Series()
	if len(pts) >= MaxSeriesPoints || len(pts) < MaxSeriesPoints/4 {
		t.Fatalf("%d points after %d ticks, want fewer than %d and more than %d", len(pts), 3*MaxSeriesPoints, MaxSeriesPoints, MaxSeriesPoints/4)
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i].At.After(pts[i-1].At) {
			t.Fatalf("point %d at %v is not after point %d at %v", i, pts[i].At, i-1, pts[i-1].At)
		}
	}
}

func TestDownsample(t *testing.T) {
	tests := []struct {
		name string
		in   []SeriesPoint
		want []SeriesPoint
	}{
		{"empty", nil, nil},
		{"odd one kept", []SeriesPoint{{Requests: 1, Seconds: 1, RPS: 1}}, []SeriesPoint{{Requests: 1, Seconds: 1, RPS: 1}}},
		{"pair", []SeriesPoint{
			{Requests: 10, Seconds: 1, RPS: 10, P99MS: 5, Users: 1},
			{Requests: 40, Seconds: 2, RPS: 15, P99MS: 3, Users: 2},
		}, []SeriesPoint{{Requests: 40, Seconds: 3, RPS: 40.0 / 3, P99MS: 5, Users: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := downsample(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if !near(got[i].RPS, tt.want[i].RPS) {
					t.Errorf("rps %v, want %v", got[i].RPS, tt.want[i].RPS)
				}
				got[i].RPS, tt.want[i].RPS = 0, 0
				if got[i] != tt.want[i] {
					t.Errorf("got %+v, want %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

// near says whether got is within 1% (the histograms' precision) of want.
func near(got, want float64) bool {
	d := got - want
	return d <= want/100+1e-9 && -d <= want/100+1e-9
}
