package api

import (
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// Bounds on what a run may ask for: beyond them a value is a typo, and the
// share arithmetic stays far from overflow.
const (
	MaxUsers       = 10_000_000
	MaxRate        = 10_000_000.0 // iterations/s, and users/s for spawn rates
	MaxInFlight    = 10_000_000
	MaxReplicas    = 10_000
	MaxThresholds  = 100
	MaxRunDuration = Duration(366 * 24 * time.Hour)
)

// The workload models of a run.
const (
	ModelClosed = "closed" // users
	ModelOpen   = "open"   // arrivals at a rate
)

// RunRequest starts a run (POST /api/v1/runs). Users (closed model) and Rate
// (open model) exclude each other; Stages, when given (here or in the
// scenario), drive the users or the rate over time instead.
type RunRequest struct {
	ID          string          `json:"id,omitempty"`            // optional run id; default: generated
	Scenario    string          `json:"scenario"`                // YAML text, required
	Target      string          `json:"target,omitempty"`        // overrides the scenario's base_url
	Model       string          `json:"model,omitempty"`         // closed | open; default: open when rate is set
	Users       int             `json:"users,omitempty"`         // closed model: target users
	SpawnRate   float64         `json:"spawn_rate,omitempty"`    // users/s; 0 starts them all at once
	Rate        float64         `json:"rate,omitempty"`          // open model: iterations/s
	MaxInFlight int             `json:"max_in_flight,omitempty"` // open model: cap on concurrent iterations; 0: the workers' default
	Stages      Stages          `json:"stages,omitempty"`        // overrides the scenario's stages
	Duration    Duration        `json:"duration,omitzero"`       // 0: until stopped (or the stages end)
	Thresholds  []ThresholdJSON `json:"thresholds,omitempty"`    // added to the scenario's
}

// RunPatch changes a running run (PATCH /api/v1/runs/current); nil fields
// stay as they are.
type RunPatch struct {
	Users     *int     `json:"users,omitempty"`
	SpawnRate *float64 `json:"spawn_rate,omitempty"`
	Rate      *float64 `json:"rate,omitempty"`
}

// ScaleRequest rescales the workers (PUT /api/v1/workers/scale).
type ScaleRequest struct {
	Replicas int `json:"replicas"`
}

// ThresholdJSON is a threshold as the API takes it; the fields that apply
// depend on Metric, as in a scenario's thresholds:
//
//	{"metric": "http_req_failed", "max_rate": 0.01}
//	{"metric": "http_req_duration", "endpoint": "create", "p": 95, "max": "300ms"}
//	{"metric": "checks", "min_rate": 0.99}
type ThresholdJSON struct {
	Metric   string   `json:"metric"`
	Endpoint string   `json:"endpoint,omitempty"`
	MaxRate  float64  `json:"max_rate,omitempty"`
	MinRate  float64  `json:"min_rate,omitempty"`
	P        float64  `json:"p,omitempty"`
	Max      Duration `json:"max,omitzero"`
}

// Threshold converts t; call Validate first.
func (t ThresholdJSON) Threshold() scenario.Threshold {
	return scenario.Threshold{Metric: t.Metric, Endpoint: t.Endpoint, MaxRate: t.MaxRate, MinRate: t.MinRate, P: t.P, Max: t.Max.Std()}
}

// The states of a run.
const (
	RunRunning = "running"
	RunStopped = "stopped"
)

// RunInfo describes the current (or last) run.
type RunInfo struct {
	ID           string    `json:"id"`
	State        string    `json:"state"`    // running | stopped
	Scenario     string    `json:"scenario"` // its name
	ScenarioHash string    `json:"scenario_hash"`
	Target       string    `json:"target"` // the base URL in effect
	Model        string    `json:"model"`  // closed | open
	Users        int       `json:"users"`
	SpawnRate    float64   `json:"spawn_rate"`
	Rate         float64   `json:"rate"`
	MaxInFlight  int       `json:"max_in_flight,omitempty"`
	Stages       Stages    `json:"stages,omitempty"`
	Duration     Duration  `json:"duration,omitzero"`
	Thresholds   []string  `json:"thresholds,omitempty"` // how each reads, scenario's first
	StartedAt    time.Time `json:"started_at"`
	StopAt       time.Time `json:"stop_at,omitzero"`
	StoppedAt    time.Time `json:"stopped_at,omitzero"`
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks what can be checked without parsing the scenario; the
// error is an *Error naming the field.
func (r *RunRequest) Validate() error {
	if e := r.validate(); e != nil {
		return e
	}
	return nil
}

func (r *RunRequest) validate() *Error {
	switch {
	case r.ID != "" && !runIDPattern.MatchString(r.ID):
		return badRequest("id", "%q: want 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", clip(r.ID))
	case r.Scenario == "":
		return badRequest("scenario", "missing: the scenario's YAML text is required")
	}
	if e := checkModel(r.Model); e != nil {
		return e
	}
	if e := checkUsers(r.Users); e != nil {
		return e
	}
	if e := checkRate("spawn_rate", r.SpawnRate); e != nil {
		return e
	}
	if e := checkRate("rate", r.Rate); e != nil {
		return e
	}
	switch {
	case r.MaxInFlight < 0 || r.MaxInFlight > MaxInFlight:
		return badRequest("max_in_flight", "%d: must be between 0 and %d", r.MaxInFlight, MaxInFlight)
	case r.Users > 0 && r.Rate > 0:
		return badRequest("rate", "users (%d) and rate (%g) are both set: users run the closed model, rate the open one; set one of them", r.Users, r.Rate)
	case r.Model == ModelOpen && r.Users > 0:
		return badRequest("users", "the open model takes a rate, not users")
	case r.Model == ModelClosed && r.Rate > 0:
		return badRequest("rate", "the closed model takes users, not a rate")
	case len(r.Stages) > 0 && (r.Users > 0 || r.Rate > 0):
		return badRequest("stages", "stages drive the users (or the rate) over time: leave users and rate out")
	case r.Duration < 0 || r.Duration > MaxRunDuration:
		return badRequest("duration", "%s: must be between 0 and %s", r.Duration, MaxRunDuration)
	case len(r.Thresholds) > MaxThresholds:
		return badRequest("thresholds", "%d thresholds, more than the %d allowed", len(r.Thresholds), MaxThresholds)
	}
	if e := r.Stages.validate(); e != nil {
		return e.prefixField("stages")
	}
	for i, t := range r.Thresholds {
		if e := t.validate(); e != nil {
			return e.prefixField("thresholds[" + strconv.Itoa(i) + "]")
		}
	}
	return nil
}

// EffectiveModel is the model the request selects: the one named, else open
// when a rate is set, else closed.
func (r *RunRequest) EffectiveModel() string {
	switch {
	case r.Model != "":
		return r.Model
	case r.Rate > 0:
		return ModelOpen
	}
	return ModelClosed
}

func checkModel(m string) *Error {
	if m != "" && m != ModelClosed && m != ModelOpen {
		return badRequest("model", "%q: want closed (users) or open (rate)", clip(m))
	}
	return nil
}

func checkUsers(n int) *Error {
	if n < 0 || n > MaxUsers {
		return badRequest("users", "%d: must be between 0 and %d", n, MaxUsers)
	}
	return nil
}

func checkRate(field string, v float64) *Error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v > MaxRate {
		return badRequest(field, "%g: must be between 0 and %g", v, MaxRate)
	}
	return nil
}

// Validate checks the patch's values; whether they fit the run is for the
// controller to say.
func (p *RunPatch) Validate() error {
	if e := p.validate(); e != nil {
		return e
	}
	return nil
}

func (p *RunPatch) validate() *Error {
	if p.Users == nil && p.SpawnRate == nil && p.Rate == nil {
		return badRequest("", "nothing to change: set users, spawn_rate or rate")
	}
	if p.Users != nil {
		if e := checkUsers(*p.Users); e != nil {
			return e
		}
	}
	if p.SpawnRate != nil {
		if e := checkRate("spawn_rate", *p.SpawnRate); e != nil {
			return e
		}
	}
	if p.Rate != nil {
		if e := checkRate("rate", *p.Rate); e != nil {
			return e
		}
	}
	if p.Users != nil && p.Rate != nil {
		return badRequest("rate", "users and rate are both set: a run has one model; set the one it uses")
	}
	return nil
}

// Validate checks the replica count.
func (s *ScaleRequest) Validate() error {
	if s.Replicas < 0 || s.Replicas > MaxReplicas {
		return badRequest("replicas", "%d: must be between 0 and %d", s.Replicas, MaxReplicas)
	}
	return nil
}

// thresholdFields says which fields apply to each metric.
var thresholdFields = map[string]string{
	scenario.MetricHTTPReqFailed:   "max_rate",
	scenario.MetricHTTPReqDuration: "p and max",
	scenario.MetricChecks:          "min_rate",
}

// validate checks t as the scenario loader checks a threshold of a file;
// field paths are relative to the threshold.
func (t ThresholdJSON) validate() *Error {
	takes, known := thresholdFields[t.Metric]
	if !known {
		return badRequest("metric", "%q is not a metric (want http_req_failed, http_req_duration or checks)", clip(t.Metric))
	}
	notFor := func(field string) *Error {
		return badRequest(field, "does not apply to %s (it takes %s)", t.Metric, takes)
	}
	isFraction := func(v float64) bool { return v >= 0 && v <= 1 }
	switch t.Metric {
	case scenario.MetricHTTPReqFailed:
		switch {
		case t.MinRate != 0:
			return notFor("min_rate")
		case t.P != 0:
			return notFor("p")
		case t.Max != 0:
			return notFor("max")
		case !isFraction(t.MaxRate):
			return badRequest("max_rate", "%g is not a fraction in [0, 1] (0.01 is 1%%)", t.MaxRate)
		}
	case scenario.MetricChecks:
		switch {
		case t.MaxRate != 0:
			return notFor("max_rate")
		case t.P != 0:
			return notFor("p")
		case t.Max != 0:
			return notFor("max")
		case !isFraction(t.MinRate):
			return badRequest("min_rate", "%g is not a fraction in [0, 1] (0.99 is 99%%)", t.MinRate)
		}
	case scenario.MetricHTTPReqDuration:
		switch {
		case t.MaxRate != 0:
			return notFor("max_rate")
		case t.MinRate != 0:
			return notFor("min_rate")
		case !(t.P > 0 && t.P <= 100):
			return badRequest("p", "%g is not a percentile in (0, 100] (missing?)", t.P)
		case t.Max <= 0:
			return badRequest("max", "%s: must be greater than 0 (missing?)", t.Max)
		}
	}
	return nil
}
