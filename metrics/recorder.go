package metrics

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/stampedehq/stampede/generator"
)

// Recorder records a run's measurements as OTel metrics exposed to
// Prometheus and as cumulative stats (Snapshot). It implements
// generator.Recorder and is safe for concurrent use.
type Recorder struct {
	opts     Options
	started  time.Time
	provider *sdkmetric.MeterProvider
	inst     *instruments
	callback metric.Registration
	cpu      *cpuSampler
	runInfo  metric.ObserveOption

	users       atomic.Int64
	usersTarget atomic.Int64
	arrivalRate atomic.Uint64 // math.Float64bits of iterations per second
	dropped     atomic.Int64

	mu        sync.Mutex // guards what Endpoint and Task fill in below
	names     map[string]bool
	folded    bool // the warning about folding endpoint names was logged
	endpoints map[endpointKey]*endpointState
	tasks     map[string]*taskRecorder
	checks    map[checkKey]*checkState

	shutdownOnce sync.Once
	shutdownErr  error
}

// NewRecorder creates the meter provider and the Prometheus exporter that
// registers into reg, and starts the run's stats (Started is now).
// Call Shutdown when the run is over.
func NewRecorder(reg prometheus.Registerer, opts Options) (*Recorder, error) {
	if reg == nil {
		return nil, errors.New("metrics: NewRecorder needs a prometheus.Registerer, got nil")
	}
	opts = opts.withDefaults()
	provider, err := newMeterProvider(reg, opts.RunID)
	if err != nil {
		return nil, err
	}
	inst, err := newInstruments(provider.Meter(meterName))
	if err != nil {
		return nil, errors.Join(err, provider.Shutdown(context.Background()))
	}
	r := &Recorder{
		opts:      opts,
		started:   opts.Now(),
		provider:  provider,
		inst:      inst,
		cpu:       newCPUSampler(opts.Now, processCPUTime, systemCPUQuota),
		runInfo:   metric.WithAttributeSet(attribute.NewSet(attribute.String(LabelScenario, opts.Scenario))),
		names:     map[string]bool{},
		endpoints: map[endpointKey]*endpointState{},
		tasks:     map[string]*taskRecorder{},
		checks:    map[checkKey]*checkState{},
	}
	r.callback, err = provider.Meter(meterName).RegisterCallback(r.observe, inst.observables()...)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("metrics: registering the observable counters and gauges: %w", err), provider.Shutdown(context.Background()))
	}
	return r, nil
}

// Shutdown stops the exporter: the registry shows none of the run's metrics
// afterwards. Snapshot still works. Calls after the first return nil.
func (r *Recorder) Shutdown(ctx context.Context) error {
	first := false
	r.shutdownOnce.Do(func() {
		first = true
		r.shutdownErr = errors.Join(r.callback.Unregister(), r.provider.Shutdown(ctx))
	})
	if !first {
		return nil
	}
	return r.shutdownErr
}

// observe reports the counters and gauges when the exporter collects.
func (r *Recorder) observe(_ context.Context, o metric.Observer) error {
	endpoints, tasks, checks := r.states()
	var sent, received int64
	for _, e := range endpoints {
		e.observe(o, &sent, &received)
	}
	o.ObserveInt64(r.inst.dataSent, sent)
	o.ObserveInt64(r.inst.dataReceived, received)
	for _, t := range tasks {
		t.observe(o)
	}
	for _, c := range checks {
		c.observe(o, r.inst.checks)
	}
	o.ObserveInt64(r.inst.dropped, r.dropped.Load())
	o.ObserveInt64(r.inst.users, r.users.Load())
	o.ObserveInt64(r.inst.usersTarget, r.usersTarget.Load())
	o.ObserveFloat64(r.inst.arrivalRateTarget, math.Float64frombits(r.arrivalRate.Load()))
	o.ObserveFloat64(r.inst.workerCPU, r.CPU())
	o.ObserveInt64(r.inst.runInfo, 1, r.runInfo)
	return nil
}

// Endpoint returns the recorder of one step's requests. Recorders for the
// same name and method share their stats. Past MaxEndpoints distinct names,
// a new name is recorded as "other".
func (r *Recorder) Endpoint(name, method string, checks []string) generator.EndpointRecorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	name = r.admit(name)
	key := endpointKey{name: name, method: method}
	state, ok := r.endpoints[key]
	if !ok {
		state = newEndpointState(r.inst, name, method)
		r.endpoints[key] = state
	}
	rec := &endpointRecorder{state: state, checks: make([]*checkState, len(checks))}
	for i, check := range checks {
		key := checkKey{endpoint: name, name: check}
		c, ok := r.checks[key]
		if !ok {
			c = newCheckState(key)
			r.checks[key] = c
		}
		rec.checks[i] = c
	}
	return rec
}

// admit returns the endpoint name to record name under, folding names past
// MaxEndpoints into OtherEndpoint. r.mu must be held.
func (r *Recorder) admit(name string) string {
	if r.names[name] {
		return name
	}
	if len(r.names) < r.opts.MaxEndpoints {
		r.names[name] = true
		return name
	}
	if !r.folded {
		r.folded = true
		r.opts.Logger.Warn(`too many endpoint names: recording the rest as endpoint="other"; group names (e.g. /todo/[id]) or raise STAMPEDE_MAX_ENDPOINTS`,
			"max_endpoints", r.opts.MaxEndpoints, "first_folded", name)
	}
	return OtherEndpoint
}

// Task returns the recorder of one task's iterations. Recorders for the same
// name share their stats.
func (r *Recorder) Task(name string) generator.TaskRecorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tasks[name]
	if !ok {
		t = newTaskRecorder(r.inst, name)
		r.tasks[name] = t
	}
	return t
}

// DroppedIteration counts an open-model arrival that found no free slot.
func (r *Recorder) DroppedIteration() { r.dropped.Add(1) }

// SetUsers reports the number of running virtual users.
func (r *Recorder) SetUsers(active int) { r.users.Store(int64(active)) }

// SetUsersTarget reports the number of users the worker is ramping to.
func (r *Recorder) SetUsersTarget(target int) { r.usersTarget.Store(int64(target)) }

// SetArrivalRateTarget reports the open model's target iterations per second.
func (r *Recorder) SetArrivalRateTarget(perSecond float64) {
	r.arrivalRate.Store(math.Float64bits(perSecond))
}

// CPU returns the worker's CPU utilization, 0..1 of its CPU quota, averaged
// since the previous sample. It samples at most once a second and returns
// the last sample in between.
func (r *Recorder) CPU() float64 { return r.cpu.sample() }

// Snapshot returns a copy of the cumulative run stats so far. It is safe to
// call while recording goes on.
func (r *Recorder) Snapshot() *Snapshot {
	endpoints, tasks, checks := r.states()

	s := &Snapshot{
		RunID:     r.opts.RunID,
		Started:   r.started,
		Taken:     r.opts.Now(),
		Endpoints: make([]EndpointStats, 0, len(endpoints)),
		Tasks:     make([]TaskStats, 0, len(tasks)),
		Checks:    make([]CheckStats, 0, len(checks)),
		Dropped:   r.dropped.Load(),
	}
	for _, e := range endpoints {
		s.Endpoints = append(s.Endpoints, e.stats())
	}
	for _, t := range tasks {
		s.Tasks = append(s.Tasks, t.stats())
	}
	for _, c := range checks {
		s.Checks = append(s.Checks, c.stats())
	}
	slices.SortFunc(s.Endpoints, compareEndpoints)
	slices.SortFunc(s.Tasks, compareTasks)
	slices.SortFunc(s.Checks, compareChecks)
	return s
}

// states lists the endpoints, tasks and checks registered so far, so that
// they can be read without holding r.mu.
func (r *Recorder) states() ([]*endpointState, []*taskRecorder, []*checkState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Collect(maps.Values(r.endpoints)), slices.Collect(maps.Values(r.tasks)), slices.Collect(maps.Values(r.checks))
}
