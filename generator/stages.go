package generator

import (
	"fmt"
	"math"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// stageTick is how often stages move the target; a ramp from 0 to 100
// users over 30s is then smooth to within a user.
const stageTick = 100 * time.Millisecond

// driveStages moves the users (closed model) or the rate (open model)
// linearly through the stages, from 0, as k6's ramping executors do.
func (e *Engine) driveStages(stop <-chan struct{}) {
	start := e.opts.StagesStart
	if start.IsZero() {
		start = time.Now()
	}
	tick := time.NewTicker(stageTick)
	defer tick.Stop()
	for {
		target, done := stageTarget(e.currentStages(), time.Since(start))
		if e.closedModel != nil {
			e.closedModel.setTarget(int(math.Round(target)), 0)
		} else {
			e.openModel.setRate(target)
		}
		if done {
			return
		}
		select {
		case <-tick.C:
		case <-stop:
			return
		}
	}
}

// stageTarget is the target elapsed into the stages, each ramping linearly
// from the previous target (0 before the first); done is true past the end.
func stageTarget(stages []scenario.Stage, elapsed time.Duration) (target float64, done bool) {
	prev := 0.0
	for _, s := range stages {
		if elapsed < s.Duration {
			return prev + (s.Target-prev)*float64(elapsed)/float64(s.Duration), false
		}
		elapsed -= s.Duration
		prev = s.Target
	}
	return prev, true
}

// SetStages replaces the stages while the run goes, keeping their start: a
// controller does this when a worker's share of them changes.
func (e *Engine) SetStages(stages []scenario.Stage) error {
	for i, s := range stages {
		if s.Duration <= 0 || s.Target < 0 {
			return fmt.Errorf("stages[%d]: %s:%g needs a positive duration and a target >= 0", i, s.Duration, s.Target)
		}
	}
	e.stagesMu.Lock()
	defer e.stagesMu.Unlock()
	e.stages = stages
	return nil
}

func (e *Engine) currentStages() []scenario.Stage {
	e.stagesMu.Lock()
	defer e.stagesMu.Unlock()
	return e.stages
}
