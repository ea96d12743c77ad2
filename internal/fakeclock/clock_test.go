package fakeclock_test

import (
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	c := fakeclock.New()
	if !c.Now().Equal(fakeclock.Start) {
		t.Fatalf("starts at %v", c.Now())
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(fakeclock.Start); got != 90*time.Second {
		t.Errorf("advanced %v, want 90s", got)
	}
	later := fakeclock.Start.Add(time.Hour)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Errorf("set to %v, reads %v", later, c.Now())
	}
}
