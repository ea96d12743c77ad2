// Package fakeclock is a clock that moves only when a test says so, for the
// Now func() time.Time options of the controller, metrics and demo target.
package fakeclock

import (
	"sync"
	"time"
)

// Start is where every Clock begins: a fixed instant, so tests and golden
// files do not depend on when they run.
var Start = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// Clock is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock at Start.
func New() *Clock { return &Clock{now: Start} }

// Now is the clock's time; pass it as an Options.Now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
