package scenario

import (
	"math/rand/v2"
	"time"

	"gopkg.in/yaml.v3"
)

// ThinkKind says how a ThinkTime computes its delay.
type ThinkKind int

const (
	ThinkNone     ThinkKind = iota // no think time set: inherit
	ThinkConstant                  // wait Min
	ThinkBetween                   // wait a uniform random time in [Min, Max]
	ThinkPacing                    // start one step or iteration every Min
)

// ThinkTime is the pause a virtual user takes after a step or an iteration.
// Constant and Pacing use Min only.
type ThinkTime struct {
	Kind     ThinkKind
	Min, Max time.Duration
}

// IsZero reports whether no think time is set, so the enclosing level's applies.
func (t ThinkTime) IsZero() bool { return t.Kind == ThinkNone }

// Delay returns how long to wait after a step or iteration that took elapsed:
// constant waits Min; between waits a uniform random time in [Min, Max] drawn
// from rng (math/rand/v2's global source when rng is nil); pacing waits
// max(0, Min-elapsed), so that one iteration starts every Min.
func (t ThinkTime) Delay(rng *rand.Rand, elapsed time.Duration) time.Duration {
	switch t.Kind {
	case ThinkConstant:
		return t.Min
	case ThinkBetween:
		if t.Max <= t.Min {
			return t.Min
		}
		span := uint64(t.Max-t.Min) + 1 // Max-Min >= 0, so +1 cannot overflow uint64
		if rng == nil {
			return t.Min + time.Duration(rand.Uint64N(span))
		}
		return t.Min + time.Duration(rng.Uint64N(span))
	case ThinkPacing:
		return max(0, t.Min-elapsed)
	default:
		return 0
	}
}

// String is the think time as in a scenario: "between(2s, 5s)".
func (t ThinkTime) String() string {
	switch t.Kind {
	case ThinkConstant:
		return "constant(" + t.Min.String() + ")"
	case ThinkBetween:
		return "between(" + t.Min.String() + ", " + t.Max.String() + ")"
	case ThinkPacing:
		return "pacing(" + t.Min.String() + ")"
	default:
		return "none"
	}
}

// thinkTime reads {constant: 1s}, {between: [2s, 5s]} or {pacing: 10s}.
func (d *decoder) thinkTime(n *yaml.Node, field string) ThinkTime {
	if isNull(n) {
		return ThinkTime{}
	}
	f, ok := d.fields(n, field, "constant", "between", "pacing")
	if !ok {
		return ThinkTime{}
	}
	if len(f) != 1 {
		// With no known field, the unknown-field message already says what is wrong.
		if len(f) > 1 || len(resolve(n).Content) == 0 {
			d.add(n.Line, field, "want exactly one of constant, between or pacing, got %d", len(f))
		}
		return ThinkTime{}
	}
	if v, ok := f["constant"]; ok {
		wait, _ := d.duration(v, field+".constant")
		return ThinkTime{Kind: ThinkConstant, Min: wait}
	}
	if v, ok := f["pacing"]; ok {
		every, _ := d.duration(v, field+".pacing")
		return ThinkTime{Kind: ThinkPacing, Min: every}
	}
	v := f["between"]
	items, ok := d.list(v, field+".between")
	if !ok {
		return ThinkTime{}
	}
	if len(items) != 2 {
		d.add(lineOf(v), field+".between", "want [min, max], got %d value(s)", len(items))
		return ThinkTime{}
	}
	lo, ok1 := d.duration(items[0], fieldIndex(field+".between", 0))
	hi, ok2 := d.duration(items[1], fieldIndex(field+".between", 1))
	if ok1 && ok2 && lo > hi {
		d.add(lineOf(v), field+".between", "min %s is greater than max %s", lo, hi)
	}
	return ThinkTime{Kind: ThinkBetween, Min: lo, Max: hi}
}
