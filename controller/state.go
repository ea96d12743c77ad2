package controller

import (
	"context"
	"encoding/json"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// StateVersion is the version of the State format written now.
const StateVersion = 1

// StateStore keeps the controller's state across restarts: a file
// (FileStore) off Kubernetes, a ConfigMap on it.
type StateStore interface {
	// Load returns the saved state, or an empty one when none was saved.
	Load(ctx context.Context) (*State, error)
	// Save replaces the saved state.
	Save(ctx context.Context, s *State) error
}

// State is what a controller needs to carry on after a restart.
type State struct {
	Version    int           `json:"version"`
	Generation int64         `json:"generation"`
	Replicas   *int          `json:"replicas,omitempty"` // the last worker count asked of the scaler
	Run        *RunState     `json:"run,omitempty"`      // the current or last run
	Workers    []WorkerState `json:"workers,omitempty"`  // live when saved
	// Stats are the latest cumulative stats of every worker of Run, live,
	// left or lost, by worker id.
	Stats map[string]json.RawMessage `json:"stats,omitempty"`
}

// RunState is a run as saved: the request it was started with, and what is
// in effect now (patches included).
type RunState struct {
	ID          string         `json:"id"`
	Request     api.RunRequest `json:"request"`
	State       string         `json:"state"` // running | stopped
	Model       string         `json:"model"`
	Users       int            `json:"users"`
	SpawnRate   float64        `json:"spawn_rate"`
	Rate        float64        `json:"rate"`
	MaxInFlight int            `json:"max_in_flight,omitempty"`
	Stages      api.Stages     `json:"stages,omitempty"`
	StartedAt   time.Time      `json:"started_at"`
	StopAt      time.Time      `json:"stop_at,omitzero"`
	StoppedAt   time.Time      `json:"stopped_at,omitzero"`
}

// WorkerState is a live worker as saved. A restarted controller takes it
// back with a fresh lease, so that the shares do not move while the workers
// find it again; one that is really gone is dropped when that lease ends.
type WorkerState struct {
	ID          string `json:"id"`
	MetricsAddr string `json:"metrics_addr,omitempty"`
	Version     string `json:"version,omitempty"`
	RunID       string `json:"run_id,omitempty"`
	State       string `json:"state"`
	Generation  int64  `json:"generation"`
}
