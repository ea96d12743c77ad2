package controller

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// The controller's metric names: a contract with dashboards and alerts.
const (
	metricWorkers           = "stampede_controller_workers"
	metricDesiredWorkers    = "stampede_controller_desired_workers"
	metricTargetUsers       = "stampede_controller_target_users"
	metricWorkersLost       = "stampede_controller_workers_lost_total"
	metricScaleOperations   = "stampede_controller_scale_operations_total"
	metricHeartbeatDuration = "stampede_controller_heartbeat_duration_seconds"
)

// controllerMetrics are the controller's own metrics. The gauges are read
// from the controller when scraped, so they cannot drift from it.
type controllerMetrics struct {
	live        prometheus.GaugeFunc
	desired     prometheus.GaugeFunc
	targetUsers prometheus.GaugeFunc
	lost        prometheus.Counter
	scaleOps    *prometheus.CounterVec
	heartbeat   prometheus.Histogram
}

func newControllerMetrics(reg *prometheus.Registry, c *Controller) (*controllerMetrics, error) {
	m := &controllerMetrics{
		live: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        metricWorkers,
			Help:        "Workers by state: live ones heartbeat within their lease.",
			ConstLabels: prometheus.Labels{"state": "live"},
		}, func() float64 { return float64(c.liveCount()) }),
		desired: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: metricDesiredWorkers,
			Help: "Workers the scaler is asked for (the live ones with --scaler none).",
		}, func() float64 { return float64(c.desiredWorkers()) }),
		targetUsers: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: metricTargetUsers,
			Help: "Users the running run wants now, over all workers (0 in the open model).",
		}, func() float64 { return float64(c.targetUsers()) }),
		lost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metricWorkersLost,
			Help: "Workers dropped because no heartbeat came within their lease.",
		}),
		scaleOps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricScaleOperations,
			Help: "Rescales asked of the scaler, by result (ok, error).",
		}, []string{"result"}),
		heartbeat: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:                           metricHeartbeatDuration,
			Help:                           "Time to handle a worker heartbeat, from the request to the answer written.",
			Buckets:                        []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
			NativeHistogramBucketFactor:    1.1,
			NativeHistogramMaxBucketNumber: 100,
		}),
	}
	m.scaleOps.WithLabelValues("ok")
	m.scaleOps.WithLabelValues("error")
	for _, col := range []prometheus.Collector{m.live, m.desired, m.targetUsers, m.lost, m.scaleOps, m.heartbeat} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("controller metrics: %w (give each Controller its own Registry)", err)
		}
	}
	// A registry the caller shares may have these already.
	for _, col := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(col); err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			return nil, fmt.Errorf("controller metrics: %w", err)
		}
	}
	return m, nil
}

func (c *Controller) desiredWorkers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(c.now())
	return c.scalerViewLocked().desired
}

func (c *Controller) targetUsers() int {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(now)
	return c.run.targetUsers(now)
}
