package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// stall is the demo target's --stall: every period, the last window of it
// holds every arriving request until the window ends.
type stall struct {
	window time.Duration // FOR
	period time.Duration // EVERY
}

func (s stall) String() string { return s.window.String() + "/" + s.period.String() }

// parseStall reads FOR/EVERY as the demo target does, e.g. 1s/10s.
func parseStall(text string) (stall, error) {
	forText, everyText, ok := strings.Cut(text, "/")
	if !ok {
		return stall{}, fmt.Errorf("-stall %q: want FOR/EVERY, e.g. 1s/10s", text)
	}
	window, errFor := time.ParseDuration(strings.TrimSpace(forText))
	period, errEvery := time.ParseDuration(strings.TrimSpace(everyText))
	if errFor != nil || errEvery != nil || window <= 0 || window >= period {
		return stall{}, fmt.Errorf("-stall %q: want FOR/EVERY with 0 < FOR < EVERY, e.g. 1s/10s", text)
	}
	return stall{window: window, period: period}, nil
}

// expectedLatency is the q-quantile (q in (0, 1], 1 for the max) of the
// latency an intended-time measurement shows at a constant arrival rate
// against a target that answers in base and stalls as s does.
//
// Derivation: arrivals are uniform in time, so a fraction f = window/period
// of them land in a stall window, and one landing at a uniform point of it
// waits the rest of it: uniform on (0, window]. The latency is therefore
// base with probability 1-f, and base + U·window with probability f, U
// uniform on (0, 1]. Its quantile function is
//
//	q <= 1-f:  base
//	q >  1-f:  base + window·(q-(1-f))/f
//
// With 1s/10s (f = 0.1): p50 = p90 = base, p95 = base + 0.5 s,
// p99 = base + 0.9 s, max = base + 1 s. It ignores the few milliseconds the
// target takes to answer the requests it held all at once, and it holds for
// runs that last whole periods (for other lengths f is only close).
func expectedLatency(q float64, base time.Duration, s stall) time.Duration {
	f := float64(s.window) / float64(s.period)
	if q <= 1-f+1e-9 { // the tolerance keeps p90 at 1s/10s on the base side
		return base
	}
	return base + time.Duration(math.Round(float64(s.window)*(q-(1-f))/f))
}
