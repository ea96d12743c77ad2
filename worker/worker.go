package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/metrics"
)

// Controller is what a worker needs of its controller; *api.Client has it.
type Controller interface {
	Heartbeat(ctx context.Context, hb api.Heartbeat) (api.HeartbeatResponse, error)
	Leave(ctx context.Context, id string) error
}

// Defaults for the Options a caller leaves at zero.
const (
	DefaultOrphanTimeout     = 60 * time.Second
	DefaultHeartbeatInterval = 2 * time.Second
)

// Options configure a Worker.
type Options struct {
	ID                string
	Controller        Controller
	MetricsAddr       string        // host:port of this worker's /metrics, as Prometheus should reach it
	OrphanTimeout     time.Duration // no answer from the controller this long: stop the load
	HeartbeatInterval time.Duration // until the controller says otherwise
	// Engine holds the settings assignments do not carry (timeouts, grace
	// periods, response bound, seed, user agent, logger).
	Engine       generator.Options
	MaxEndpoints int
	Version      string
	Logger       *slog.Logger
}

// Worker follows a controller's assignments. Only Run's goroutine touches
// its state.
type Worker struct {
	opts     Options
	log      *slog.Logger
	gatherer runGatherer

	runID        string
	generation   int64
	scenarioHash string
	scenarioText string
	sc           *scenario.Scenario
	rec          *metrics.Recorder

	engine     *generator.Engine
	engineDone chan struct{}
	stopping   bool // the engine was asked to stop and has not yet

	lastIterations int64
	lastBeat       time.Time
}

// New checks the options.
func New(opts Options) (*Worker, error) {
	if opts.Controller == nil {
		return nil, errors.New("worker: no controller")
	}
	if err := api.ValidWorkerID(opts.ID); err != nil {
		return nil, fmt.Errorf("worker id: %w", err)
	}
	if opts.OrphanTimeout <= 0 {
		opts.OrphanTimeout = DefaultOrphanTimeout
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Engine.GracefulStop <= 0 {
		opts.Engine.GracefulStop = generator.DefaultGracefulStop
	}
	opts.Engine.Logger = opts.Logger
	return &Worker{opts: opts, log: opts.Logger.With("worker", opts.ID)}, nil
}

// Gatherer serves the metrics of the current run; add it to the /metrics
// handler next to the process's own collectors.
func (w *Worker) Gatherer() prometheus.Gatherer { return &w.gatherer }

// Run heartbeats and follows assignments until ctx ends; then it stops the
// load (in-flight requests get the graceful stop), sends a last heartbeat
// with its final stats and leaves the controller.
func (w *Worker) Run(ctx context.Context) error {
	interval := w.opts.HeartbeatInterval
	lastContact := time.Now()
	unreachable := false
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return w.leave(interval)
		case <-timer.C:
		case <-w.engineDone: // nil without an engine
			w.reap()
		}
		resp, err := w.beat(ctx, interval, w.state())
		switch {
		case ctx.Err() != nil:
			continue
		case err != nil:
			if !unreachable {
				w.log.Warn("controller unreachable; keeping the last assignment", "error", err, "orphan_timeout", w.opts.OrphanTimeout)
				unreachable = true
			}
			if w.engine != nil && !w.stopping && time.Since(lastContact) > w.opts.OrphanTimeout {
				w.log.Warn("orphaned: no word from the controller within the orphan timeout; stopping the load", "orphan_timeout", w.opts.OrphanTimeout, "run_id", w.runID)
				w.stopEngine()
			}
		default:
			if unreachable {
				w.log.Info("controller reachable again")
				unreachable = false
			}
			lastContact = time.Now()
			if d := resp.HeartbeatInterval.Std(); d > 0 {
				interval = d
			}
			w.apply(ctx, resp.Assignment)
		}
		timer.Reset(interval)
	}
}

// state is what the worker reports doing.
func (w *Worker) state() string {
	switch {
	case w.engine == nil:
		return api.WorkerIdle
	case w.stopping:
		return api.WorkerStopping
	}
	return api.WorkerRunning
}

// beat sends one heartbeat with the cumulative stats of the current run.
func (w *Worker) beat(ctx context.Context, interval time.Duration, state string) (api.HeartbeatResponse, error) {
	hb := api.Heartbeat{
		ID:           w.opts.ID,
		MetricsAddr:  w.opts.MetricsAddr,
		Version:      w.opts.Version,
		RunID:        w.runID,
		Generation:   w.generation,
		State:        state,
		ScenarioHash: w.scenarioHash,
	}
	if w.engine != nil {
		hb.Users = w.engine.ActiveUsers()
	}
	if w.rec != nil {
		snap := w.rec.Snapshot()
		hb.Stats = snap
		hb.CPU = w.rec.CPU()
		var iterations int64
		for _, t := range snap.Tasks {
			iterations += t.Iterations
		}
		if now := time.Now(); !w.lastBeat.IsZero() && now.Sub(w.lastBeat) > 0 {
			hb.Rate = max(0, float64(iterations-w.lastIterations)/now.Sub(w.lastBeat).Seconds())
		}
		w.lastIterations, w.lastBeat = iterations, time.Now()
	}
	timeout := min(max(2*interval, time.Second), 10*time.Second)
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return w.opts.Controller.Heartbeat(bctx, hb)
}

// apply moves the load towards an assignment.
func (w *Worker) apply(ctx context.Context, a api.Assignment) {
	if a.State != api.AssignRunning {
		if w.engine != nil && !w.stopping {
			w.log.Info("run stopped by the controller", "run_id", w.runID)
			w.stopEngine()
		}
		w.generation = a.Generation
		return
	}
	if a.ScenarioHash != w.scenarioHash {
		if a.Scenario == "" {
			return // the next answer carries it: it is sent when our hash differs
		}
		w.scenarioHash, w.scenarioText = a.ScenarioHash, a.Scenario
	}
	switch {
	case a.RunID != w.runID:
		w.startRun(ctx, a)
	case w.engine == nil:
		// Same run, no load: we were orphaned, or this is a restarted
		// controller's run; go on, counting into the same run's metrics.
		if a.StopAt.IsZero() || time.Until(a.StopAt) > 0 {
			w.startEngine(ctx, a)
		}
	case a.Generation != w.generation && !w.stopping:
		w.reshape(a)
	}
}

// startRun begins a new run: fresh metrics (the previous run's series end),
// a freshly parsed scenario, and the engine.
func (w *Worker) startRun(ctx context.Context, a api.Assignment) {
	if w.engine != nil {
		w.stopEngine()
		<-w.engineDone
		w.reap()
	}
	sc, err := scenario.Parse("run "+a.RunID, []byte(w.scenarioText))
	if err == nil && a.Target != "" {
		err = sc.WithTarget(a.Target)
	}
	if err != nil {
		w.log.Error("cannot run the assigned scenario", "run_id", a.RunID, "error", err)
		return
	}
	reg := prometheus.NewRegistry()
	rec, err := metrics.NewRecorder(reg, metrics.Options{RunID: a.RunID, Scenario: sc.Name, MaxEndpoints: w.opts.MaxEndpoints, Logger: w.opts.Logger})
	if err != nil {
		w.log.Error("cannot set up the run's metrics", "run_id", a.RunID, "error", err)
		return
	}
	if w.rec != nil {
		_ = w.rec.Shutdown(context.WithoutCancel(ctx))
	}
	w.gatherer.current.Store(reg)
	w.runID, w.sc, w.rec = a.RunID, sc, rec
	w.lastIterations, w.lastBeat = 0, time.Time{}
	w.log.Info("run started", "run_id", a.RunID, "scenario", sc.Name, "target", sc.BaseURL)
	w.startEngine(ctx, a)
}

// engineOptions is an assignment in the generator's terms.
func (w *Worker) engineOptions(a api.Assignment) generator.Options {
	o := w.opts.Engine
	o.Scenario, o.Recorder = w.sc, w.rec
	o.Users, o.SpawnRate, o.Open, o.Rate = 0, 0, false, 0
	if a.Model == "open" || (a.Model == "" && a.Rate > 0) {
		o.Open, o.Rate = true, a.Rate
		o.MaxInFlight = max(a.MaxInFlight, 1)
	}
	o.Stages = a.Stages.Scenario()
	if len(o.Stages) > 0 {
		o.StagesStart = a.StartedAt
	} else if !o.Open {
		o.Users, o.SpawnRate = a.Users, a.SpawnRate
	}
	o.Duration = 0
	if !a.StopAt.IsZero() {
		o.Duration = max(time.Until(a.StopAt), time.Millisecond)
	}
	return o
}

func (w *Worker) startEngine(ctx context.Context, a api.Assignment) {
	e, err := generator.New(w.engineOptions(a))
	if err != nil {
		w.log.Error("cannot start the assigned load", "run_id", a.RunID, "error", err)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.Run(context.WithoutCancel(ctx)) // stopped with e.Stop, never by ctx: the final stats must be sent
	}()
	w.engine, w.engineDone, w.stopping = e, done, false
	w.generation = a.Generation
}

// reshape applies a new share of the same run.
func (w *Worker) reshape(a api.Assignment) {
	var err error
	switch o := w.engineOptions(a); {
	case len(o.Stages) > 0:
		err = w.engine.SetStages(o.Stages)
	case o.Open:
		err = w.engine.SetRate(o.Rate)
	default:
		err = w.engine.SetUsers(o.Users, o.SpawnRate)
	}
	if err != nil {
		w.log.Error("cannot apply the new share", "generation", a.Generation, "error", err)
		return
	}
	w.log.Debug("share changed", "generation", a.Generation, "users", a.Users, "rate", a.Rate)
	w.generation = a.Generation
}

// stopEngine asks the engine to stop; reap collects it once it has.
func (w *Worker) stopEngine() {
	w.engine.Stop()
	w.stopping = true
}

func (w *Worker) reap() {
	w.engine, w.engineDone, w.stopping = nil, nil, false
}

// leave stops the load, heartbeating "stopping" meanwhile so the lease
// holds, sends the final stats and deregisters.
func (w *Worker) leave(interval time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.Engine.GracefulStop+30*time.Second)
	defer cancel()
	if w.engine != nil {
		w.stopEngine()
		tick := time.NewTicker(interval)
		defer tick.Stop()
	wait:
		for {
			select {
			case <-w.engineDone:
				break wait
			case <-tick.C:
				_, _ = w.beat(ctx, interval, api.WorkerStopping)
			}
		}
		w.reap()
	}
	_, err := w.beat(ctx, interval, api.WorkerStopping)
	if err == nil {
		err = w.opts.Controller.Leave(ctx, w.opts.ID)
	}
	if w.rec != nil {
		_ = w.rec.Shutdown(ctx)
	}
	if err != nil {
		return fmt.Errorf("leaving the controller: %w (its lease will drop this worker)", err)
	}
	w.log.Info("left the controller with the final stats", "run_id", w.runID)
	return nil
}
