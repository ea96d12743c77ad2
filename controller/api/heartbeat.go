package api

import (
	"math"
	"net"
	"time"

	"github.com/stampedehq/stampede/metrics"
)

// The states a worker reports in its heartbeats.
const (
	WorkerIdle     = "idle"     // no load: waiting for a run
	WorkerRunning  = "running"  // generating its share of the load
	WorkerStopping = "stopping" // leaving: it gets no share any more
)

// The states of an assignment.
const (
	AssignIdle    = "idle"    // no run: stay idle
	AssignRunning = "running" // run the share described
	AssignStopped = "stopped" // the run is over (or this worker is leaving): stop the load
)

// Heartbeat is what a worker sends every heartbeat interval
// (POST /api/v1/workers/heartbeat).
type Heartbeat struct {
	ID           string            `json:"id"`                     // pod name, or host-pid-random
	MetricsAddr  string            `json:"metrics_addr,omitempty"` // host:port of its /metrics; an empty or unspecified host means the address it sends from
	Version      string            `json:"version,omitempty"`
	RunID        string            `json:"run_id,omitempty"` // the run it is doing (or did last)
	Generation   int64             `json:"generation"`       // of the assignment it follows
	State        string            `json:"state"`            // idle | running | stopping
	Users        int               `json:"users"`            // active virtual users
	Rate         float64           `json:"rate"`             // iterations/s started, recently
	CPU          float64           `json:"cpu"`              // utilization of its CPU quota, 0..1
	ScenarioHash string            `json:"scenario_hash,omitempty"`
	Stats        *metrics.Snapshot `json:"stats,omitempty"` // cumulative for RunID, so a lost heartbeat loses nothing
}

// HeartbeatResponse is the controller's answer to a heartbeat.
type HeartbeatResponse struct {
	LeaseTTL          Duration   `json:"lease_ttl"`          // silent this long, the worker is dropped
	HeartbeatInterval Duration   `json:"heartbeat_interval"` // send the next heartbeat after this
	Assignment        Assignment `json:"assignment"`
}

// Assignment is a worker's share of the run.
type Assignment struct {
	RunID        string    `json:"run_id,omitempty"`
	Generation   int64     `json:"generation"`
	State        string    `json:"state"` // idle | running | stopped
	Model        string    `json:"model,omitempty"`
	Users        int       `json:"users"`
	SpawnRate    float64   `json:"spawn_rate"`
	Rate         float64   `json:"rate"`
	MaxInFlight  int       `json:"max_in_flight,omitempty"`
	Stages       Stages    `json:"stages,omitempty"` // this worker's share of each stage
	ScenarioHash string    `json:"scenario_hash,omitempty"`
	Scenario     string    `json:"scenario,omitempty"` // YAML text, only when the worker's hash differs
	Target       string    `json:"target,omitempty"`   // base URL to use
	StartedAt    time.Time `json:"started_at,omitzero"`
	StopAt       time.Time `json:"stop_at,omitzero"` // zero when the run has no end
}

// Limits on the short strings of a heartbeat.
const (
	maxIDLen      = 253 // a DNS name, as a pod name is
	maxShortField = 128
)

// Validate checks a heartbeat; the error is an *Error naming the field.
// Stats are not looked into: the controller reads them when it merges.
func (h *Heartbeat) Validate() error {
	if e := h.validate(); e != nil {
		return e
	}
	return nil
}

func (h *Heartbeat) validate() *Error {
	if e := checkWorkerID(h.ID); e != nil {
		return e
	}
	switch {
	case len(h.Version) > maxShortField:
		return badRequest("version", "longer than %d bytes", maxShortField)
	case len(h.RunID) > maxShortField:
		return badRequest("run_id", "longer than %d bytes", maxShortField)
	case len(h.ScenarioHash) > maxShortField:
		return badRequest("scenario_hash", "longer than %d bytes", maxShortField)
	case h.State != WorkerIdle && h.State != WorkerRunning && h.State != WorkerStopping:
		return badRequest("state", "%q: want idle, running or stopping", clip(h.State))
	case h.Generation < 0:
		return badRequest("generation", "%d: must not be negative", h.Generation)
	case h.Users < 0:
		return badRequest("users", "%d: must not be negative", h.Users)
	case !(h.Rate >= 0) || math.IsInf(h.Rate, 0):
		return badRequest("rate", "%g: must be a number >= 0", h.Rate)
	case !(h.CPU >= 0) || math.IsInf(h.CPU, 0):
		return badRequest("cpu", "%g: must be a number >= 0", h.CPU)
	}
	if h.MetricsAddr != "" {
		if len(h.MetricsAddr) > maxIDLen+8 {
			return badRequest("metrics_addr", "longer than %d bytes", maxIDLen+8)
		}
		if _, port, err := net.SplitHostPort(h.MetricsAddr); err != nil || port == "" || !isDigits(port) {
			return badRequest("metrics_addr", "%q: want host:port, e.g. 10.0.0.7:9464", clip(h.MetricsAddr))
		}
	}
	return nil
}

// checkWorkerID accepts what pod names and host-pid-random ids are made of.
func checkWorkerID(id string) *Error {
	if id == "" {
		return badRequest("id", "missing: every worker needs an id")
	}
	if len(id) > maxIDLen {
		return badRequest("id", "longer than %d bytes", maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == ':') {
			return badRequest("id", "%q: only letters, digits, '-', '.', '_' and ':' are allowed", clip(id))
		}
	}
	return nil
}

// ValidWorkerID reports whether id is acceptable as a worker id.
func ValidWorkerID(id string) error {
	if e := checkWorkerID(id); e != nil {
		return e
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
