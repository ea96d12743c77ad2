package worker

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// runGatherer serves the registry of the current run. A new run swaps in a
// new registry, so the series of the previous run end in Prometheus
// (staleness) instead of lingering with their last values.
type runGatherer struct {
	current atomic.Pointer[prometheus.Registry]
}

func (g *runGatherer) Gather() ([]*dto.MetricFamily, error) {
	reg := g.current.Load()
	if reg == nil {
		return nil, nil
	}
	return reg.Gather()
}
