package metrics

import (
	"log/slog"
	"time"
)

// DefaultMaxEndpoints is the number of distinct endpoint names recorded
// before new ones fold into endpoint="other".
const DefaultMaxEndpoints = 200

// OtherEndpoint is the endpoint name that names past Options.MaxEndpoints
// are recorded under.
const OtherEndpoint = "other"

// Options configures a Recorder.
type Options struct {
	RunID        string           // the run_id label of every series
	Scenario     string           // the scenario label of stampede_run_info
	MaxEndpoints int              // 0 -> DefaultMaxEndpoints
	Logger       *slog.Logger     // nil -> slog.Default()
	Now          func() time.Time // nil -> time.Now (tests)
}

func (o Options) withDefaults() Options {
	if o.MaxEndpoints <= 0 {
		o.MaxEndpoints = DefaultMaxEndpoints
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
