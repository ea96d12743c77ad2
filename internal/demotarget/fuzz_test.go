package demotarget

import (
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzParseLatency checks that ParseLatency never panics, that what it
// accepts prints back to the same value, and that its delays are never
// negative.
func FuzzParseLatency(f *testing.F) {
	for _, seed := range []string{"", "0", "10ms", "uniform(5ms,20ms)", "normal(20ms,5ms)",
		"exp(10ms)", "uniform(20ms,5ms)", "exp(", "normal(1h,-1s)", "uniform(0s,2562047h47m16.854775807s)"} {
		f.Add(seed)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseLatency(in)
		if err != nil {
			return
		}
		again, err := ParseLatency(l.String())
		if err != nil || again != l {
			t.Fatalf("ParseLatency(%q) = %v, whose String %q parses to %v, %v", in, l, l.String(), again, err)
		}
		for range 10 {
			if d := l.sample(rng); d < 0 {
				t.Fatalf("ParseLatency(%q).sample = %v < 0", in, d)
			}
		}
	})
}

// FuzzParseStall checks that ParseStall never panics, that what it accepts
// is valid and prints back to the same value, and that it never holds a
// request for longer than its window.
func FuzzParseStall(f *testing.F) {
	for _, seed := range []string{"", "0", "1s/10s", "10s/1s", "1s/", "/", "1ns/2ns"} {
		f.Add(seed, int64(9500000000))
	}
	f.Fuzz(func(t *testing.T, in string, elapsed int64) {
		s, err := ParseStall(in)
		if err != nil {
			return
		}
		if err := s.validate(); err != nil {
			t.Fatalf("ParseStall(%q) = %v, invalid: %v", in, s, err)
		}
		again, err := ParseStall(s.String())
		if err != nil || again != s {
			t.Fatalf("ParseStall(%q) = %v, whose String %q parses to %v, %v", in, s, s.String(), again, err)
		}
		if d := s.remaining(time.Duration(elapsed)); d < 0 || d > s.For {
			t.Fatalf("ParseStall(%q).remaining(%d) = %v, outside [0, %v]", in, elapsed, d, s.For)
		}
	})
}
