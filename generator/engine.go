package generator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// Engine runs one scenario's load. Its targets (users and spawn rate, or
// rate) can change while it runs: that is how a controller hands a worker
// its share.
type Engine struct {
	opts      Options
	plan      *plan
	transport http.RoundTripper
	seed      uint64

	iterationsLeft atomic.Int64 // when Options.Iterations > 0
	active         atomic.Int64 // running users (closed) or in-flight iterations (open)
	userSeq        atomic.Uint64

	stopping chan struct{} // closed when the run ends: users leave at their next step
	stopOnce sync.Once

	closedModel *closedModel
	openModel   *openModel

	stagesMu sync.Mutex
	stages   []scenario.Stage

	logged sync.Map // "step\x00reason" -> struct{}: each kind of error is logged once
}

// New checks the options and resolves the scenario against the recorder.
func New(opts Options) (*Engine, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		opts:      opts,
		plan:      newPlan(opts.Scenario, opts.Recorder),
		transport: opts.Transport,
		seed:      opts.Seed,
		stopping:  make(chan struct{}),
	}
	if e.seed == 0 {
		e.seed = rand.Uint64()
	}
	if e.transport == nil {
		e.transport = NewTransport(max(opts.Users, opts.MaxInFlight))
	}
	e.iterationsLeft.Store(opts.Iterations)
	e.stages = opts.Stages
	if opts.open() {
		e.openModel = newOpenModel(e)
	} else {
		e.closedModel = newClosedModel(e)
	}
	return e, nil
}

// SetUsers changes the closed model's target users and spawn rate while it
// runs. It is an error in the open model.
func (e *Engine) SetUsers(users int, spawnRate float64) error {
	if e.closedModel == nil {
		return fmt.Errorf("users: this run uses the open model (rate); set the rate instead")
	}
	if users < 0 || spawnRate < 0 {
		return fmt.Errorf("users %d, spawn rate %g: must not be negative", users, spawnRate)
	}
	e.closedModel.setTarget(users, spawnRate)
	return nil
}

// SetRate changes the open model's target iterations per second while it
// runs. It is an error in the closed model.
func (e *Engine) SetRate(rate float64) error {
	if e.openModel == nil {
		return fmt.Errorf("rate: this run uses the closed model (users); set the users instead")
	}
	if rate < 0 {
		return fmt.Errorf("rate %g: must not be negative", rate)
	}
	e.openModel.setRate(rate)
	return nil
}

// Stop ends the run as if its duration had passed. It returns at once;
// Run returns when the users have left.
func (e *Engine) Stop() { e.stopOnce.Do(func() { close(e.stopping) }) }

// Run generates load until ctx is cancelled, Stop is called, the duration
// or the stages end, or the iteration budget is spent. Then users leave at
// their next step; requests still in flight after GracefulStop are
// cancelled and not counted. Run returns when every goroutine it started
// has ended.
func (e *Engine) Run(ctx context.Context) error {
	// hard ends the in-flight requests; it outlives ctx by GracefulStop.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()

	var wg sync.WaitGroup
	modelDone := make(chan struct{})
	wg.Go(func() {
		defer close(modelDone)
		if e.closedModel != nil {
			e.closedModel.run(hard)
		} else {
			e.openModel.run(hard)
		}
	})
	if len(e.opts.Stages) > 0 {
		wg.Go(func() { e.driveStages(e.stopping) })
	}

	duration := e.opts.Duration
	if duration == 0 && len(e.opts.Stages) > 0 {
		duration = stagesDuration(e.opts.Stages)
		if !e.opts.StagesStart.IsZero() {
			duration -= time.Since(e.opts.StagesStart)
		}
		duration = max(duration, time.Millisecond)
	}
	var deadline <-chan time.Time
	if duration > 0 {
		t := time.NewTimer(duration)
		defer t.Stop()
		deadline = t.C
	}
	select {
	case <-ctx.Done():
	case <-deadline:
	case <-e.stopping:
	case <-modelDone: // the iteration budget is spent and every iteration finished
	}
	e.Stop()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := time.NewTimer(e.opts.GracefulStop)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		e.opts.Logger.Warn("graceful stop period over: cancelling requests still in flight", "graceful_stop", e.opts.GracefulStop)
		cancelHard()
		<-done
	}
	// The run is over: nothing runs and nothing is aimed for, whatever the
	// stages driver last set between its ticks.
	e.opts.Recorder.SetUsers(0)
	e.opts.Recorder.SetUsersTarget(0)
	e.opts.Recorder.SetArrivalRateTarget(0)
	return nil
}

// claimIteration takes one iteration from the budget; false when it is spent.
func (e *Engine) claimIteration() bool {
	if e.opts.Iterations == 0 {
		return true
	}
	return e.iterationsLeft.Add(-1) >= 0
}

// userStarted and userEnded keep the stampede_users gauge exact.
func (e *Engine) userStarted() { e.opts.Recorder.SetUsers(int(e.active.Add(1))) }
func (e *Engine) userEnded()   { e.opts.Recorder.SetUsers(int(e.active.Add(-1))) }

// ActiveUsers is the number of running users (closed model) or in-flight
// iterations (open model).
func (e *Engine) ActiveUsers() int { return int(e.active.Load()) }

// logOnce logs the first error of each kind per step, so a dead target
// does not flood the log; the counts are in the metrics and the summary.
func (e *Engine) logOnce(step, kind, msg string, err error) {
	if _, seen := e.logged.LoadOrStore(step+"\x00"+kind, struct{}{}); seen {
		return
	}
	e.opts.Logger.Warn(msg+" (logged once per step and kind; counted in the metrics)", "step", step, "kind", kind, "error", err)
}
