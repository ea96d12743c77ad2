package demotarget

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in      string
		want    Latency
		wantStr string
		wantErr string // a part of the error; "" for none
	}{
		{in: "", want: Latency{}, wantStr: "0s"},
		{in: "0", want: Latency{}, wantStr: "0s"},
		{in: "0ms", want: Latency{}, wantStr: "0s"},
		{in: "10ms", want: Latency{dist: latencyFixed, a: 10 * time.Millisecond}, wantStr: "10ms"},
		{in: " 1.5s ", want: Latency{dist: latencyFixed, a: 1500 * time.Millisecond}, wantStr: "1.5s"},
		{in: "uniform(5ms,20ms)", want: Latency{dist: latencyUniform, a: 5 * time.Millisecond, b: 20 * time.Millisecond}, wantStr: "uniform(5ms,20ms)"},
		{in: "Uniform( 5ms , 20ms )", want: Latency{dist: latencyUniform, a: 5 * time.Millisecond, b: 20 * time.Millisecond}, wantStr: "uniform(5ms,20ms)"},
		{in: "uniform(7ms,7ms)", want: Latency{dist: latencyUniform, a: 7 * time.Millisecond, b: 7 * time.Millisecond}, wantStr: "uniform(7ms,7ms)"},
		{in: "normal(20ms,5ms)", want: Latency{dist: latencyNormal, a: 20 * time.Millisecond, b: 5 * time.Millisecond}, wantStr: "normal(20ms,5ms)"},
		{in: "normal(20ms,0s)", want: Latency{dist: latencyNormal, a: 20 * time.Millisecond}, wantStr: "normal(20ms,0s)"},
		{in: "exp(10ms)", want: Latency{dist: latencyExp, a: 10 * time.Millisecond}, wantStr: "exp(10ms)"},
		{in: "10", wantErr: `latency "10": time: missing unit in duration "10"`},
		{in: "-5ms", wantErr: `latency "-5ms": duration -5ms is negative`},
		{in: "fast", wantErr: `latency "fast"`},
		{in: "uniform(20ms,5ms)", wantErr: "min 20ms is greater than max 5ms"},
		{in: "uniform(5ms)", wantErr: "uniform takes 2 durations (min,max), got 1"},
		{in: "uniform()", wantErr: "got 0"},
		{in: "uniform(5ms,-1ms)", wantErr: "duration -1ms is negative"},
		{in: "normal(20ms)", wantErr: "normal takes 2 durations (mean,stddev), got 1"},
		{in: "exp(1ms,2ms)", wantErr: "exp takes 1 duration (mean), got 2"},
		{in: "exp(10ms", wantErr: `latency "exp(10ms": want name(durations...) ending in ")"`},
		{in: "exp(10ms))", wantErr: `latency "exp(10ms))"`},
		{in: "pareto(10ms)", wantErr: `unknown distribution "pareto"`},
		{in: "exp(ten)", wantErr: `time: invalid duration "ten"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLatency(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseLatency(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLatency(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseLatency(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if got.String() != tt.wantStr {
				t.Errorf("String() = %q, want %q", got.String(), tt.wantStr)
			}
		})
	}
}

// TestLatencySample draws many delays from a seeded source and checks their
// range and mean. The seed makes the draws, and so the test, deterministic.
func TestLatencySample(t *testing.T) {
	const draws = 20000
	ms := time.Millisecond
	tests := []struct {
		in       string
		min, max time.Duration
		mean     time.Duration
	}{
		{in: "0", min: 0, max: 0, mean: 0},
		{in: "10ms", min: 10 * ms, max: 10 * ms, mean: 10 * ms},
		{in: "uniform(5ms,20ms)", min: 5 * ms, max: 20 * ms, mean: 12500 * time.Microsecond},
		{in: "uniform(3ms,3ms)", min: 3 * ms, max: 3 * ms, mean: 3 * ms},
		{in: "normal(20ms,5ms)", min: 0, max: math.MaxInt64, mean: 20 * ms},
		// Clamping at 0 raises the mean of normal(1ms,10ms) to about 4.4ms.
		{in: "normal(1ms,10ms)", min: 0, max: math.MaxInt64, mean: 4400 * time.Microsecond},
		{in: "exp(10ms)", min: 0, max: math.MaxInt64, mean: 10 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l, err := ParseLatency(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			var sum float64
			for range draws {
				d := l.sample(rng)
				if d < tt.min || d > tt.max {
					t.Fatalf("sample %v outside [%v, %v]", d, tt.min, tt.max)
				}
				sum += float64(d)
			}
			mean := sum / draws
			if tolerance := 0.05*float64(tt.mean) + float64(50*time.Microsecond); math.Abs(mean-float64(tt.mean)) > tolerance {
				t.Errorf("mean %v, want %v ± %v", time.Duration(mean), tt.mean, time.Duration(tolerance))
			}
		})
	}
}

func TestClampDuration(t *testing.T) {
	tests := []struct {
		ns   float64
		want time.Duration
	}{
		{-1, 0},
		{math.NaN(), 0},
		{1.9, 1},
		{1e30, math.MaxInt64},
		{math.Inf(1), math.MaxInt64},
	}
	for _, tt := range tests {
		if got := clampDuration(tt.ns); got != tt.want {
			t.Errorf("clampDuration(%v) = %v, want %v", tt.ns, got, tt.want)
		}
	}
}
