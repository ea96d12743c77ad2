package demotarget

import (
	"fmt"
	"strings"
	"time"
)

// Stall freezes the target periodically, like a GC pause or a lock-up: in
// every period of length Every, counted from the server's start, the last
// For is a stall window, and every request arriving in it is held until the
// window ends. With Stall{For: time.Second, Every: 10 * time.Second} the
// target serves normally from 0s to 9s, holds requests from 9s to 10s,
// serves from 10s to 19s, and so on. The zero value never stalls.
type Stall struct {
	Every time.Duration // the period
	For   time.Duration // the window at the end of each period; less than Every
}

// ParseStall parses "FOR/EVERY", for example "1s/10s": a stall of 1s once
// every 10s. "" and "0" mean no stall.
func ParseStall(s string) (Stall, error) {
	text := strings.TrimSpace(s)
	forText, everyText, found := strings.Cut(text, "/")
	if !found {
		if text == "" {
			return Stall{}, nil
		}
		if d, err := time.ParseDuration(text); err == nil && d == 0 {
			return Stall{}, nil
		}
		return Stall{}, fmt.Errorf("stall %q: want FOR/EVERY, for example 1s/10s", s)
	}
	window, err := time.ParseDuration(strings.TrimSpace(forText))
	if err != nil {
		return Stall{}, fmt.Errorf("stall %q: window: %w", s, err)
	}
	period, err := time.ParseDuration(strings.TrimSpace(everyText))
	if err != nil {
		return Stall{}, fmt.Errorf("stall %q: period: %w", s, err)
	}
	stall := Stall{Every: period, For: window}
	if err := stall.validate(); err != nil {
		return Stall{}, fmt.Errorf("stall %q: %w", s, err)
	}
	return stall, nil
}

// validate checks a non-zero Stall: a positive window shorter than its
// positive period.
func (s Stall) validate() error {
	if s.IsZero() {
		return nil
	}
	switch {
	case s.For <= 0:
		return fmt.Errorf("window (For) %v must be positive", s.For)
	case s.Every <= 0:
		return fmt.Errorf("period (Every) %v must be positive", s.Every)
	case s.For >= s.Every:
		return fmt.Errorf("window (For) %v must be shorter than the period (Every) %v", s.For, s.Every)
	}
	return nil
}

// String returns the stall in the syntax ParseStall reads; "0s" for none.
func (s Stall) String() string {
	if s.IsZero() {
		return "0s"
	}
	return s.For.String() + "/" + s.Every.String()
}

// IsZero reports whether s never stalls.
func (s Stall) IsZero() bool { return s.Every == 0 && s.For == 0 }

// remaining returns how long a request arriving elapsed after the server's
// start must be held: the rest of the stall window it arrived in, or 0.
func (s Stall) remaining(elapsed time.Duration) time.Duration {
	if s.IsZero() {
		return 0
	}
	phase := elapsed % s.Every
	if phase < 0 { // a test clock set before the start
		phase += s.Every
	}
	if phase < s.Every-s.For {
		return 0
	}
	return s.Every - phase
}
