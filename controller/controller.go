package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// statsSaveEvery is how many heartbeat intervals apart changed stats alone
// are saved.
const statsSaveEvery = 10

// Controller holds the desired state and the live workers, and serves the
// API. Its methods are safe for concurrent use.
type Controller struct {
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	metrics  *controllerMetrics
	handler  http.Handler
	sessions *sessions // of the control page
	ready    atomic.Bool
	saveReq  chan struct{} // holds one token while a worker change waits to be saved
	// scalerIsLive: the scaler is NoScaler over this controller, whose
	// desired and ready workers are the live ones, now rather than as of
	// the last refresh.
	scalerIsLive bool

	mu           sync.Mutex
	generation   int64
	run          *run               // nil before the first run
	workers      map[string]*worker // live ones
	order        []string           // ids of the live workers, sorted
	nextExpiry   time.Time          // no lease ends before this; zero without workers
	stats        map[string][]byte  // worker id -> latest cumulative stats (JSON) of run
	statsVersion uint64             // goes up whenever stats changes
	replicas     *int               // the last count asked of the scaler
	scaler       scalerView         // the scaler's last answer
	scalerAsks   uint64             // scaler reads begun, to keep a slow old answer from replacing a newer one
	version      uint64             // of the state; goes up on every change to save
	finalDue     time.Time          // when to log the final threshold results of a stopped run

	saveMu       sync.Mutex // serializes saves
	savedVersion uint64     // guarded by saveMu
	savedStats   uint64     // statsVersion saved; guarded by saveMu

	mergeMu sync.Mutex // one merge at a time; guards merged
	merged  mergedStats

	seriesMu sync.Mutex // guards series; taken before mergeMu and mu, never while holding them
	series   *series    // of the current or last run; nil before its first sample
}

// worker is a live worker as its last heartbeat described it.
type worker struct {
	id, metricsAddr, version, runID, state string
	users                                  int
	rate, cpu                              float64
	generation                             int64
	last                                   time.Time
}

// scalerViewLocked is what the scaler says. c.mu must be held.
func (c *Controller) scalerViewLocked() scalerView {
	if c.scalerIsLive {
		return scalerView{desired: len(c.workers), ready: len(c.workers)}
	}
	return c.scaler
}

// scalerView is what the scaler last said.
type scalerView struct {
	desired, ready int
	err            string
	at             time.Time
	ask            uint64 // which read this is the answer to
}

// New returns a controller with the state its Store holds: a run that was
// going on before a restart is back before New returns, so before the
// controller answers anything. Call Run to have leases end and runs stop on
// time, and serve Handler.
func New(ctx context.Context, opts Options) (*Controller, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Controller{
		opts:     opts,
		log:      opts.Logger,
		now:      opts.Now,
		saveReq:  make(chan struct{}, 1),
		sessions: newSessions(),
		workers:  map[string]*worker{},
		stats:    map[string][]byte{},
	}
	switch s := opts.Scaler.(type) {
	case nil:
		c.opts.Scaler = NoScaler{Live: c.liveCount}
		c.scalerIsLive = true
	case NoScaler:
		if s.Live == nil {
			c.opts.Scaler = NoScaler{Live: c.liveCount}
			c.scalerIsLive = true
		}
	}
	st, err := opts.Store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("controller: loading the state: %w", err)
	}
	if err := c.restore(st); err != nil {
		return nil, fmt.Errorf("controller: restoring the state from %v: %w", opts.Store, err)
	}
	if c.metrics, err = newControllerMetrics(opts.Registry, c); err != nil {
		return nil, err
	}
	c.handler = c.routes()
	c.ready.Store(true)
	return c, nil
}

// restore takes back a saved state; the restored workers get a fresh lease.
func (c *Controller) restore(st *State) error {
	if st == nil {
		return nil
	}
	now := c.now()
	c.generation = st.Generation
	c.replicas = st.Replicas
	if st.Run != nil {
		r, err := restoreRun(st.Run)
		if err != nil {
			return err
		}
		c.run = r
		for id, raw := range st.Stats {
			if api.ValidWorkerID(id) == nil && len(raw) > 0 {
				c.stats[id] = raw
			}
		}
		c.statsVersion++
	}
	for _, ws := range st.Workers {
		if api.ValidWorkerID(ws.ID) != nil || c.workers[ws.ID] != nil {
			continue
		}
		c.workers[ws.ID] = &worker{
			id: ws.ID, metricsAddr: ws.MetricsAddr, version: ws.Version, runID: ws.RunID,
			state: ws.State, generation: ws.Generation, last: now,
		}
		c.order = append(c.order, ws.ID)
	}
	slices.Sort(c.order)
	if len(c.workers) > 0 {
		c.nextExpiry = now.Add(c.opts.LeaseTTL)
	}
	if st.Run != nil || len(st.Workers) > 0 {
		c.log.Info("controller state restored", "run", runIDOf(c.run), "run_state", runStateOf(c.run),
			"workers", len(c.workers), "worker_stats", len(c.stats), "generation", c.generation)
	}
	c.savedVersion, c.savedStats = c.version, c.statsVersion
	return nil
}

// stateLocked is the state to save. c.mu must be held.
func (c *Controller) stateLocked() *State {
	st := &State{Version: StateVersion, Generation: c.generation, Replicas: c.replicas}
	if c.run != nil {
		rs := c.run.RunState
		st.Run = &rs
		st.Stats = make(map[string]json.RawMessage, len(c.stats))
		for id, raw := range c.stats {
			st.Stats[id] = raw
		}
	}
	for _, id := range c.order {
		w := c.workers[id]
		st.Workers = append(st.Workers, WorkerState{
			ID: w.id, MetricsAddr: w.metricsAddr, Version: w.version, RunID: w.runID,
			State: w.state, Generation: w.generation,
		})
	}
	return st
}

// Handler is the controller's HTTP API, status page, metrics and probes.
func (c *Controller) Handler() http.Handler { return c.handler }

// Run ends leases, stops runs at their stop time, saves worker changes and
// asks the scaler how many workers it has, until ctx ends; then it saves
// the state one last time and returns nil.
func (c *Controller) Run(ctx context.Context) error {
	tick := time.NewTicker(c.opts.HeartbeatInterval / 2)
	defer tick.Stop()
	// Stats come with nearly every heartbeat: they are saved with every
	// other change, and on their own only this often.
	statsTick := time.NewTicker(statsSaveEvery * c.opts.HeartbeatInterval)
	defer statsTick.Stop()
	sampleTick := time.NewTicker(SampleInterval)
	defer sampleTick.Stop()
	c.refreshScaler(ctx)
	for {
		select {
		case <-ctx.Done():
			c.ready.Store(false)
			saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			c.persist(saveCtx, true)
			return nil
		case <-tick.C:
			c.tick(ctx)
		case <-c.saveReq:
			c.persist(ctx, false)
		case <-statsTick.C:
			c.persist(ctx, true)
		case <-sampleTick.C:
			c.sample()
		}
	}
}

// tick does what is due: leases, stop times, the scaler's view, and the
// final threshold results of a run that stopped.
func (c *Controller) tick(ctx context.Context) {
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	scalerDue := !now.Before(c.scaler.at.Add(c.opts.HeartbeatInterval))
	finalDue := !c.finalDue.IsZero() && !now.Before(c.finalDue)
	if finalDue {
		c.finalDue = time.Time{}
	}
	c.mu.Unlock()
	if scalerDue {
		c.refreshScaler(ctx)
	}
	if finalDue {
		c.logFinalThresholds()
	}
}

// advanceLocked ends the leases and the run that are due at now. c.mu must
// be held.
func (c *Controller) advanceLocked(now time.Time) {
	c.expireLocked(now)
	if r := c.run; r != nil && r.State == api.RunRunning && !r.StopAt.IsZero() && !now.Before(r.StopAt) {
		c.stopLocked(now, "its duration is over")
	}
}

// changedLocked records a change of the state, and of the assignments when
// assignments is set, and has Run save it. c.mu must be held.
func (c *Controller) changedLocked(assignments bool) {
	if assignments {
		c.generation++
	}
	c.version++
	c.requestSave()
}

// requestSave has Run save the state soon, without waiting for it.
func (c *Controller) requestSave() {
	select {
	case c.saveReq <- struct{}{}:
	default: // a save is already pending; it will take this change too
	}
}

// persist saves the state if it changed since the last save; changes of
// the stats alone count only with statsToo. Errors are logged: the change
// stays in effect.
func (c *Controller) persist(ctx context.Context, statsToo bool) {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	v, sv := c.version, c.statsVersion
	if v == c.savedVersion && (!statsToo || sv == c.savedStats) {
		c.mu.Unlock()
		return
	}
	st := c.stateLocked()
	c.mu.Unlock()
	if err := c.opts.Store.Save(ctx, st); err != nil {
		c.log.Error("saving the controller state failed; a restart now would lose the latest changes", "err", err)
		return
	}
	c.savedVersion, c.savedStats = v, sv
}

// refreshScaler asks the scaler how many workers it has.
// A periodic read and the one after a Scale can overlap: the answer to the
// read begun last wins, so a read begun before a Scale cannot report the
// replicas from before it.
func (c *Controller) refreshScaler(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.HeartbeatInterval)
	defer cancel()
	c.mu.Lock()
	c.scalerAsks++
	ask := c.scalerAsks
	c.mu.Unlock()
	desired, ready, err := c.opts.Scaler.Replicas(ctx)
	view := scalerView{desired: desired, ready: ready, at: c.now(), ask: ask}
	if err != nil {
		view.err = err.Error()
	}
	c.mu.Lock()
	if ask < c.scaler.ask { // a read begun later has answered already
		c.mu.Unlock()
		return
	}
	if err != nil { // keep the last counts known
		view.desired, view.ready = c.scaler.desired, c.scaler.ready
	}
	c.scaler = view
	c.mu.Unlock()
}

// liveCount is the number of live workers.
func (c *Controller) liveCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(c.now())
	return len(c.workers)
}

func runIDOf(r *run) string {
	if r == nil {
		return ""
	}
	return r.ID
}

func runStateOf(r *run) string {
	if r == nil {
		return ""
	}
	return r.State
}
