package generator

import (
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
	start := time.Now()
	tick := time.NewTicker(stageTick)
	defer tick.Stop()
	for {
		target, done := stageTarget(e.opts.Stages, time.Since(start))
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
