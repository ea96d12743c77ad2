package controller

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator/scenario"
)

// run is the current or last run: its saved state and what was derived
// from it.
type run struct {
	RunState
	scenario   *scenario.Scenario
	thresholds []scenario.Threshold // the scenario's, then the request's
}

// prepareRun checks a run request against its scenario and works out the
// load in effect. Errors are *api.Error values naming the field.
func prepareRun(req api.RunRequest) (*run, *api.Error) {
	if err := req.Validate(); err != nil {
		return nil, api.AsError(err)
	}
	r, e := parseRunScenario(req)
	if e != nil {
		return nil, e
	}
	r.Request = req
	r.Model = req.EffectiveModel()
	r.Users, r.SpawnRate, r.Rate, r.MaxInFlight = req.Users, req.SpawnRate, req.Rate, req.MaxInFlight
	r.Stages = req.Stages
	if len(r.Stages) == 0 && req.Users == 0 && req.Rate == 0 {
		r.Stages = api.StagesOf(r.scenario.Stages)
	}
	if len(r.Stages) == 0 && r.Users == 0 && r.Rate == 0 {
		field := "users"
		if r.Model == api.ModelOpen {
			field = "rate"
		}
		return nil, badRequest(field, "nothing to run: set users (closed model), rate (open model) or stages, here or in the scenario")
	}
	return r, nil
}

// parseRunScenario parses the request's scenario, applies its target and
// adds its thresholds.
func parseRunScenario(req api.RunRequest) (*run, *api.Error) {
	sc, err := scenario.Parse("", []byte(req.Scenario))
	if err != nil {
		return nil, badRequest("scenario", "%v", err)
	}
	if req.Target != "" {
		if err := sc.WithTarget(req.Target); err != nil {
			return nil, badRequest("target", "%v", err)
		}
	}
	if sc.BaseURL == "" {
		return nil, badRequest("target", "no base URL: set target, or base_url in the scenario")
	}
	r := &run{scenario: sc, thresholds: append([]scenario.Threshold(nil), sc.Thresholds...)}
	for _, t := range req.Thresholds {
		r.thresholds = append(r.thresholds, t.Threshold())
	}
	return r, nil
}

// restoreRun takes back a saved run.
func restoreRun(rs *RunState) (*run, error) {
	r, e := parseRunScenario(rs.Request)
	if e != nil {
		return nil, fmt.Errorf("run %s: %w", rs.ID, e)
	}
	if rs.State != api.RunRunning && rs.State != api.RunStopped {
		return nil, fmt.Errorf("run %s: state %q is neither running nor stopped", rs.ID, rs.State)
	}
	r.RunState = *rs
	return r, nil
}

func badRequest(field, format string, args ...any) *api.Error {
	return &api.Error{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

func conflict(field, format string, args ...any) *api.Error {
	return &api.Error{Status: http.StatusConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// StartRun starts a run, unless one is running. Errors are *api.Error
// values: 400 naming the field of a bad request, 409 when a run is running.
func (c *Controller) StartRun(ctx context.Context, req api.RunRequest) error {
	r, e := prepareRun(req)
	if e != nil {
		return e
	}
	if e := c.opts.Limits.checkRun(r.scenario, req, r.Stages); e != nil {
		return e
	}
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	if last := c.run; last != nil {
		if last.State == api.RunRunning {
			c.mu.Unlock()
			return conflict("", "run %s is running: stop it first (POST %s)", last.ID, api.PathRunStop)
		}
		if req.ID == last.ID {
			c.mu.Unlock()
			return conflict("id", "%q was the last run's id: workers may still report its stats; pick another", req.ID)
		}
	}
	r.ID = req.ID
	if r.ID == "" {
		r.ID = newRunID(now)
	}
	r.State = api.RunRunning
	r.StartedAt = now
	if end := runLength(r.Request.Duration.Std(), r.Stages); end > 0 {
		r.StopAt = now.Add(end)
	}
	c.run = r
	c.stats = map[string][]byte{}
	c.statsVersion++
	c.finalDue = time.Time{}
	c.changedLocked(true)
	workers := len(c.workers)
	c.mu.Unlock()
	stopAt := "none"
	if !r.StopAt.IsZero() {
		stopAt = r.StopAt.Format(time.RFC3339)
	}
	c.log.Info("run started", "run", r.ID, "scenario", r.scenario.Name, "target", r.scenario.BaseURL,
		"model", r.Model, "users", r.Users, "rate", r.Rate, "stages", len(r.Stages), "stop_at", stopAt, "workers", workers)
	c.persist(ctx, false)
	return nil
}

// runLength is how long a run lasts: its duration, or its stages if they
// end sooner; 0 for no end.
func runLength(d time.Duration, stages api.Stages) time.Duration {
	if total := stages.Total(); total > 0 && (d == 0 || total < d) {
		return total
	}
	return d
}

// newRunID makes an id that sorts by start time and reads well in a
// Grafana variable: run-20261124-161805-3fa2.
func newRunID(now time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return "run-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// PatchRun changes the users, spawn rate or rate of the running run.
// Errors are *api.Error values: 400 for a bad value or one the run's model
// does not take, 409 without a running run or when the run follows stages.
func (c *Controller) PatchRun(ctx context.Context, p api.RunPatch) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if e := c.opts.Limits.checkPatch(p); e != nil {
		return e
	}
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	r := c.run
	if e := checkPatch(r, p); e != nil {
		c.mu.Unlock()
		return e
	}
	if p.Users != nil {
		r.Users = *p.Users
	}
	if p.SpawnRate != nil {
		r.SpawnRate = *p.SpawnRate
	}
	if p.Rate != nil {
		r.Rate = *p.Rate
	}
	c.changedLocked(true)
	c.mu.Unlock()
	c.log.Info("run changed", "run", r.ID, "users", r.Users, "spawn_rate", r.SpawnRate, "rate", r.Rate)
	c.persist(ctx, false)
	return nil
}

func checkPatch(r *run, p api.RunPatch) *api.Error {
	switch {
	case r == nil || r.State != api.RunRunning:
		return conflict("", "no run is running")
	case len(r.Stages) > 0:
		return conflict("", "run %s follows its stages; to set users or a rate, stop it and start one without stages", r.ID)
	case r.Model == api.ModelOpen && p.Users != nil:
		return badRequest("users", "run %s uses the open model: set its rate", r.ID)
	case r.Model == api.ModelOpen && p.SpawnRate != nil:
		return badRequest("spawn_rate", "run %s uses the open model, which spawns no users: set its rate", r.ID)
	case r.Model == api.ModelClosed && p.Rate != nil:
		return badRequest("rate", "run %s uses the closed model: set its users", r.ID)
	}
	return nil
}

// StopRun stops the running run; stopping a stopped run does nothing. The
// error is a 409 *api.Error when there has been no run.
func (c *Controller) StopRun(ctx context.Context) error {
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	if c.run == nil {
		c.mu.Unlock()
		return conflict("", "no run to stop")
	}
	stopped := c.run.State == api.RunRunning
	if stopped {
		c.stopLocked(now, "stopped by request")
	}
	c.mu.Unlock()
	if stopped {
		c.persist(ctx, false)
	}
	return nil
}

// stopLocked stops the running run. c.mu must be held.
func (c *Controller) stopLocked(now time.Time, why string) {
	r := c.run
	r.State = api.RunStopped
	r.StoppedAt = now
	// Final stats come with the workers' next heartbeats.
	c.finalDue = now.Add(c.opts.HeartbeatInterval + c.opts.HeartbeatInterval/2)
	c.changedLocked(true)
	c.log.Info("run stopped", "run", r.ID, "why", why, "ran", now.Sub(r.StartedAt).Round(time.Millisecond))
}

// logFinalThresholds logs how the last run did against its thresholds.
func (c *Controller) logFinalThresholds() {
	sum := c.Summary()
	for _, t := range sum.Thresholds {
		attrs := []any{"run", sum.RunID, "threshold", t.Threshold, "value", t.Value}
		if t.Passed {
			c.log.Info("threshold held", attrs...)
		} else {
			c.log.Warn("threshold breached", attrs...)
		}
	}
	c.log.Info("run summary", "run", sum.RunID, "requests", sum.Total.Requests, "failures", sum.Total.Failures,
		"p95", sum.Total.P95, "passed", sum.Passed)
}

// info describes r. c.mu must be held.
func (r *run) info() *api.RunInfo {
	info := &api.RunInfo{
		ID: r.ID, State: r.State, Scenario: r.scenario.Name, ScenarioHash: r.scenario.Hash,
		Target: r.scenario.BaseURL, Model: r.Model, Users: r.Users, SpawnRate: r.SpawnRate, Rate: r.Rate,
		MaxInFlight: r.MaxInFlight, Stages: r.Stages, Duration: r.Request.Duration,
		StartedAt: r.StartedAt, StopAt: r.StopAt, StoppedAt: r.StoppedAt,
	}
	for _, t := range r.thresholds {
		info.Thresholds = append(info.Thresholds, t.String())
	}
	return info
}

// load is what r asks of all workers together.
func (r *run) load() load {
	return load{Model: r.Model, Users: r.Users, SpawnRate: r.SpawnRate, Rate: r.Rate, MaxInFlight: r.MaxInFlight, Stages: r.Stages}
}

// targetUsers is how many users r wants at now: its users, or where its
// stages have got to (closed model); 0 once stopped or in the open model.
func (r *run) targetUsers(now time.Time) int {
	if r == nil || r.State != api.RunRunning || r.Model == api.ModelOpen {
		return 0
	}
	if len(r.Stages) == 0 {
		return r.Users
	}
	return int(math.Round(stageTarget(r.Stages, now.Sub(r.StartedAt))))
}

// stageTarget is where stages, ramping linearly from 0, are after elapsed.
func stageTarget(stages api.Stages, elapsed time.Duration) float64 {
	from := 0.0
	elapsed = max(elapsed, 0)
	for _, st := range stages {
		d := st.Duration.Std()
		if elapsed < d {
			return from + (st.Target-from)*float64(elapsed)/float64(d)
		}
		elapsed -= d
		from = st.Target
	}
	return from
}
