package scenario

import (
	"testing"
	"time"
)

func TestThinkTimeDelay(t *testing.T) {
	s, m := time.Second, time.Millisecond
	cases := []struct {
		name    string
		tt      ThinkTime
		elapsed time.Duration
		lo, hi  time.Duration
	}{
		{"none", ThinkTime{}, s, 0, 0},
		{"constant", ThinkTime{Kind: ThinkConstant, Min: 500 * m}, 3 * s, 500 * m, 500 * m},
		{"constant zero", ThinkTime{Kind: ThinkConstant}, 0, 0, 0},
		{"between", ThinkTime{Kind: ThinkBetween, Min: 2 * s, Max: 5 * s}, 0, 2 * s, 5 * s},
		{"between equal bounds", ThinkTime{Kind: ThinkBetween, Min: s, Max: s}, 0, s, s},
		{"between max below min", ThinkTime{Kind: ThinkBetween, Min: 2 * s, Max: s}, 0, 2 * s, 2 * s},
		{"between huge", ThinkTime{Kind: ThinkBetween, Min: 0, Max: time.Duration(1<<63 - 1)}, 0, 0, time.Duration(1<<63 - 1)},
		{"pacing rest", ThinkTime{Kind: ThinkPacing, Min: 10 * s}, 3 * s, 7 * s, 7 * s},
		{"pacing late", ThinkTime{Kind: ThinkPacing, Min: 10 * s}, 12 * s, 0, 0},
	}
	rng := newRand(5)
	for _, tc := range cases {
		for range 200 {
			if got := tc.tt.Delay(rng, tc.elapsed); got < tc.lo || got > tc.hi {
				t.Fatalf("%s: Delay = %v, want in [%v, %v]", tc.name, got, tc.lo, tc.hi)
			}
		}
		if got := tc.tt.Delay(nil, tc.elapsed); got < tc.lo || got > tc.hi {
			t.Errorf("%s: Delay(nil rng) = %v", tc.name, got)
		}
	}
}

func TestThinkTimeBetweenCoversTheRange(t *testing.T) {
	tt := ThinkTime{Kind: ThinkBetween, Min: 0, Max: 3}
	seen := map[time.Duration]bool{}
	rng := newRand(9)
	for range 1000 {
		seen[tt.Delay(rng, 0)] = true
	}
	if len(seen) != 4 {
		t.Errorf("between [0ns, 3ns] produced %v, want all of 0..3", seen)
	}
}

func TestThinkTimeString(t *testing.T) {
	cases := map[string]ThinkTime{
		"none":             {},
		"constant(1s)":     {Kind: ThinkConstant, Min: time.Second},
		"between(2s, 5s)":  {Kind: ThinkBetween, Min: 2 * time.Second, Max: 5 * time.Second},
		"pacing(10s)":      {Kind: ThinkPacing, Min: 10 * time.Second},
		"constant(500ms)":  {Kind: ThinkConstant, Min: 500 * time.Millisecond},
		"between(0s, 1ms)": {Kind: ThinkBetween, Max: time.Millisecond},
	}
	for want, tt := range cases {
		if got := tt.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestThinkTimeParse(t *testing.T) {
	cases := map[string]ThinkTime{
		"{constant: 1s}":         {Kind: ThinkConstant, Min: time.Second},
		"{constant: 0}":          {Kind: ThinkConstant},
		"{between: [1s, 1m30s]}": {Kind: ThinkBetween, Min: time.Second, Max: 90 * time.Second},
		"{between: [0s, 0s]}":    {Kind: ThinkBetween},
		"{pacing: 250ms}":        {Kind: ThinkPacing, Min: 250 * time.Millisecond},
		"~":                      {},
	}
	for yaml, want := range cases {
		s, err := Parse("t.yaml", []byte("think_time: "+yaml+"\ntasks: [{steps: [{name: s, request: {path: /}}]}]"))
		if err != nil {
			t.Errorf("%s: %v", yaml, err)
			continue
		}
		if s.ThinkTime != want {
			t.Errorf("%s: %+v, want %+v", yaml, s.ThinkTime, want)
		}
	}
}
