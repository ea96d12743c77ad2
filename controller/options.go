package controller

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of the Options a caller leaves at zero.
const (
	DefaultHeartbeatInterval = 2 * time.Second
	DefaultMaxBodyBytes      = 1 << 20
	DefaultMaxHeartbeatBytes = 8 << 20
	DefaultStatsMaxAge       = time.Second
)

// Options configure a Controller.
type Options struct {
	Scaler            Scaler        // nil: NoScaler
	Store             StateStore    // nil: a MemoryStore (the state dies with the process)
	HeartbeatInterval time.Duration // how often workers heartbeat; default 2s
	LeaseTTL          time.Duration // silent this long, a worker is dropped; default 3 × HeartbeatInterval
	Token             string        // when set, mutating calls and heartbeats need "Authorization: Bearer <Token>"
	Limits            Limits        // where runs may send load, and how much
	Logger            *slog.Logger  // nil: slog.Default()
	Now               func() time.Time
	Version           string // shown on the status page
	// GrafanaURL is the base URL of the Grafana with stampede's dashboards;
	// when set, the control page links to them.
	GrafanaURL        string
	MaxBodyBytes      int64 // bound on API request bodies; default 1 MiB
	MaxHeartbeatBytes int64 // bound on heartbeat bodies (they carry stats); default 8 MiB
	// Registry takes the controller's metrics, served on /metrics; nil: a
	// new one. Give each Controller its own.
	Registry *prometheus.Registry
	// StatsMaxAge is how old the merged stats behind Status's thresholds may
	// be: default 1s, and at least ten times what the last merge took, so
	// that merging a big fleet's stats stays a small part of the CPU.
	// Negative: always fresh. Summary is always fresh.
	StatsMaxAge time.Duration
}

func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.HeartbeatInterval < 0 {
		errs = append(errs, fmt.Errorf("heartbeat interval %s: must not be negative", o.HeartbeatInterval))
	}
	if o.LeaseTTL < 0 {
		errs = append(errs, fmt.Errorf("lease TTL %s: must not be negative", o.LeaseTTL))
	}
	if o.MaxBodyBytes < 0 || o.MaxHeartbeatBytes < 0 {
		errs = append(errs, fmt.Errorf("body limits %d and %d: must not be negative", o.MaxBodyBytes, o.MaxHeartbeatBytes))
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if o.LeaseTTL == 0 {
		o.LeaseTTL = 3 * o.HeartbeatInterval
	}
	if o.LeaseTTL > 0 && o.LeaseTTL <= o.HeartbeatInterval {
		errs = append(errs, fmt.Errorf("lease TTL %s: must be longer than the heartbeat interval %s, or every worker would be dropped between two heartbeats", o.LeaseTTL, o.HeartbeatInterval))
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("controller options: %w", errors.Join(errs...))
	}
	if o.Store == nil {
		o.Store = &MemoryStore{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxHeartbeatBytes == 0 {
		o.MaxHeartbeatBytes = DefaultMaxHeartbeatBytes
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.StatsMaxAge == 0 {
		o.StatsMaxAge = DefaultStatsMaxAge
	}
	return o, nil
}
