package demotarget

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric descriptions of /metrics. They are immutable once built.
var (
	requestsDesc = prometheus.NewDesc(
		"demotarget_requests_total",
		"Responses the demo target wrote, by route pattern and status code.",
		[]string{"route", "code"}, nil)
	itemsDesc = prometheus.NewDesc(
		"demotarget_items",
		"ToDo items currently stored by the demo target.",
		nil, nil)
)

// newRegistry returns a registry of its own for s, so that the target's
// metrics never mix with those of a worker or controller in the same
// process (they would, in the global default registry).
func newRegistry(s *Server) *prometheus.Registry {
	registry := prometheus.NewRegistry()
	registry.MustRegister(statsCollector{s})
	return registry
}

// statsCollector exposes the server's counters at scrape time; the request
// path only adds to an atomic counter, never touches a Prometheus metric.
type statsCollector struct{ server *Server }

func (c statsCollector) Describe(descs chan<- *prometheus.Desc) {
	descs <- requestsDesc
	descs <- itemsDesc
}

func (c statsCollector) Collect(metrics chan<- prometheus.Metric) {
	c.server.counts.each(func(route, status int, n int64) {
		metrics <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue,
			float64(n), routeNames[route], strconv.Itoa(status))
	})
	metrics <- prometheus.MustNewConstMetric(itemsDesc, prometheus.GaugeValue,
		float64(c.server.items.len()))
}
