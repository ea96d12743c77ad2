package generator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// Defaults for the Options a caller leaves at zero.
const (
	DefaultRequestTimeout   = 30 * time.Second
	DefaultGracefulStop     = 10 * time.Second
	DefaultGracefulRampDown = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultMaxInFlight      = 1000
)

// Options configure an Engine. The model is open (arrivals) when Open is set
// or Rate is positive, closed (users) otherwise; Stages, when given, drive
// the users or the rate over time instead of Users or Rate.
type Options struct {
	Scenario *scenario.Scenario
	Recorder Recorder

	// Closed model.
	Users     int     // target virtual users
	SpawnRate float64 // users started (or stopped) per second; 0 starts them all at once

	// Open model.
	Open        bool
	Rate        float64 // target iterations per second
	MaxInFlight int     // cap on concurrent iterations; arrivals past it are dropped and counted

	Stages      []scenario.Stage // ramps of users (closed) or iterations/s (open)
	StagesStart time.Time        // when the stages began; zero: when Run starts (workers share a controller's clock)
	Duration    time.Duration    // 0: until stopped, or until the stages end
	Iterations  int64            // 0: unbounded; else the run ends after this many iterations

	RequestTimeout   time.Duration // bounds every request, body read included
	GracefulStop     time.Duration // how long in-flight requests may finish when the run ends
	GracefulRampDown time.Duration // how long a removed user may finish its iteration
	MaxResponseBytes int64         // bound on the body kept for checks and extraction

	Seed      uint64            // 0 picks one at random
	Transport http.RoundTripper // nil: NewTransport sized for the load
	UserAgent string
	Logger    *slog.Logger
}

// open reports whether the options select the open model.
func (o *Options) open() bool { return o.Open || o.Rate > 0 }

// withDefaults fills the zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.Scenario == nil || len(o.Scenario.Tasks) == 0 {
		errs = append(errs, errors.New("generator: no scenario, or a scenario without tasks"))
	}
	if o.Recorder == nil {
		errs = append(errs, errors.New("generator: no Recorder"))
	}
	if o.Users < 0 {
		errs = append(errs, fmt.Errorf("users: %d is negative", o.Users))
	}
	if o.SpawnRate < 0 {
		errs = append(errs, fmt.Errorf("spawn rate: %g is negative", o.SpawnRate))
	}
	if o.Rate < 0 {
		errs = append(errs, fmt.Errorf("rate: %g is negative", o.Rate))
	}
	if o.MaxInFlight < 0 {
		errs = append(errs, fmt.Errorf("max in flight: %d is negative", o.MaxInFlight))
	}
	if o.Duration < 0 {
		errs = append(errs, fmt.Errorf("duration: %s is negative", o.Duration))
	}
	if o.Iterations < 0 {
		errs = append(errs, fmt.Errorf("iterations: %d is negative", o.Iterations))
	}
	for i, s := range o.Stages {
		if s.Duration <= 0 || s.Target < 0 {
			errs = append(errs, fmt.Errorf("stages[%d]: %s:%g needs a positive duration and a target >= 0", i, s.Duration, s.Target))
		}
	}
	if o.Users > 0 && o.open() {
		errs = append(errs, fmt.Errorf("users (%d) and rate (%g): pick the closed model (users) or the open model (rate), not both", o.Users, o.Rate))
	}
	if len(errs) > 0 {
		return o, errors.Join(errs...)
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.GracefulStop <= 0 {
		o.GracefulStop = DefaultGracefulStop
	}
	if o.GracefulRampDown <= 0 {
		o.GracefulRampDown = DefaultGracefulRampDown
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.UserAgent == "" {
		o.UserAgent = "stampede"
	}
	return o, nil
}

// stagesDuration is how long the stages last in all.
func stagesDuration(stages []scenario.Stage) time.Duration {
	var d time.Duration
	for _, s := range stages {
		d += s.Duration
	}
	return d
}
