package demotarget

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// latencyDist is the shape of a Latency distribution.
type latencyDist uint8

const (
	latencyNone latencyDist = iota
	latencyFixed
	latencyUniform
	latencyNormal
	latencyExp
)

// Latency is a distribution of added response delays. The zero value adds
// none. Build one with ParseLatency.
type Latency struct {
	dist latencyDist
	// a and b are the distribution's parameters: fixed (d, -), uniform (min,
	// max), normal (mean, stddev), exp (mean, -).
	a, b time.Duration
}

// ParseLatency parses a latency distribution:
//
//	10ms                   always 10ms
//	uniform(5ms,20ms)      uniformly between 5ms and 20ms, both included
//	normal(20ms,5ms)       normal with mean 20ms and stddev 5ms, clamped at 0
//	exp(10ms)              exponential with mean 10ms
//
// "" and "0" mean no added latency. Durations must not be negative.
func ParseLatency(s string) (Latency, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return Latency{}, nil
	}
	name, argText, isCall := strings.Cut(text, "(")
	if !isCall {
		d, err := parseNonNegative(text)
		if err != nil {
			return Latency{}, fmt.Errorf("latency %q: %w", s, err)
		}
		if d == 0 {
			return Latency{}, nil
		}
		return Latency{dist: latencyFixed, a: d}, nil
	}
	argText, closed := strings.CutSuffix(argText, ")")
	if !closed {
		return Latency{}, fmt.Errorf("latency %q: want name(durations...) ending in \")\"", s)
	}
	args, err := parseDurationArgs(argText)
	if err != nil {
		return Latency{}, fmt.Errorf("latency %q: %w", s, err)
	}
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "uniform":
		if len(args) != 2 {
			return Latency{}, fmt.Errorf("latency %q: uniform takes 2 durations (min,max), got %d", s, len(args))
		}
		if args[0] > args[1] {
			return Latency{}, fmt.Errorf("latency %q: uniform min %v is greater than max %v", s, args[0], args[1])
		}
		return Latency{dist: latencyUniform, a: args[0], b: args[1]}, nil
	case "normal":
		if len(args) != 2 {
			return Latency{}, fmt.Errorf("latency %q: normal takes 2 durations (mean,stddev), got %d", s, len(args))
		}
		return Latency{dist: latencyNormal, a: args[0], b: args[1]}, nil
	case "exp":
		if len(args) != 1 {
			return Latency{}, fmt.Errorf("latency %q: exp takes 1 duration (mean), got %d", s, len(args))
		}
		return Latency{dist: latencyExp, a: args[0]}, nil
	default:
		return Latency{}, fmt.Errorf("latency %q: unknown distribution %q (want a duration, uniform(min,max), normal(mean,stddev) or exp(mean))", s, name)
	}
}

// parseDurationArgs parses the comma-separated arguments of a distribution.
func parseDurationArgs(argText string) ([]time.Duration, error) {
	if strings.TrimSpace(argText) == "" {
		return nil, nil
	}
	parts := strings.Split(argText, ",")
	args := make([]time.Duration, 0, len(parts))
	for _, part := range parts {
		d, err := parseNonNegative(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		args = append(args, d)
	}
	return args, nil
}

// parseNonNegative parses a duration that must not be negative.
func parseNonNegative(text string) (time.Duration, error) {
	d, err := time.ParseDuration(text)
	if err != nil {
		return 0, err // time's errors already quote the offending text

	}
	if d < 0 {
		return 0, fmt.Errorf("duration %v is negative", d)
	}
	return d, nil
}

// String returns the distribution in the syntax ParseLatency reads; "0s" for
// none.
func (l Latency) String() string {
	switch l.dist {
	case latencyFixed:
		return l.a.String()
	case latencyUniform:
		return "uniform(" + l.a.String() + "," + l.b.String() + ")"
	case latencyNormal:
		return "normal(" + l.a.String() + "," + l.b.String() + ")"
	case latencyExp:
		return "exp(" + l.a.String() + ")"
	default:
		return "0s"
	}
}

// IsZero reports whether l adds no latency at all.
func (l Latency) IsZero() bool { return l.dist == latencyNone }

// random reports whether sampling l needs random numbers.
func (l Latency) random() bool {
	return l.dist == latencyUniform || l.dist == latencyNormal || l.dist == latencyExp
}

// sample draws one delay. rng may be nil when l is not random.
func (l Latency) sample(rng *rand.Rand) time.Duration {
	switch l.dist {
	case latencyFixed:
		return l.a
	case latencyUniform:
		// Uint64N with the width + 1 includes max and cannot overflow:
		// max - min <= MaxInt64.
		return l.a + time.Duration(rng.Uint64N(uint64(l.b-l.a)+1))
	case latencyNormal:
		return clampDuration(float64(l.a) + rng.NormFloat64()*float64(l.b))
	case latencyExp:
		return clampDuration(rng.ExpFloat64() * float64(l.a))
	default:
		return 0
	}
}

// clampDuration converts nanoseconds to a Duration in [0, MaxInt64]; a plain
// conversion of an out-of-range float is undefined.
func clampDuration(ns float64) time.Duration {
	switch {
	case ns <= 0 || math.IsNaN(ns):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	default:
		return time.Duration(ns)
	}
}
