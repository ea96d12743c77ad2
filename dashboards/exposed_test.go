package dashboards

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/metrics"
)

// workerMetrics are the names the workers expose, from the metrics
// package's constants (a renamed or removed one breaks this build), with
// whether each is a histogram.
func workerMetrics() map[string]bool {
	return map[string]bool{
		metrics.MetricRequests:          false,
		metrics.MetricRequestErrors:     false,
		metrics.MetricRequestDuration:   true,
		metrics.MetricIterations:        false,
		metrics.MetricIterationsFailed:  false,
		metrics.MetricIterationDuration: true,
		metrics.MetricChecks:            false,
		metrics.MetricDroppedIterations: false,
		metrics.MetricUsers:             false,
		metrics.MetricUsersTarget:       false,
		metrics.MetricArrivalRateTarget: false,
		metrics.MetricDataSent:          false,
		metrics.MetricDataReceived:      false,
		metrics.MetricWorkerCPU:         false,
		metrics.MetricRunInfo:           false,
	}
}

// controllerMetrics are the stampede_* families a real controller
// registers, with whether each is a histogram: what its /metrics serves.
func controllerMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	if _, err := controller.New(context.Background(), controller.Options{
		Registry: reg,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}); err != nil {
		t.Fatalf("starting a controller to read its metric names: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range families {
		if name := f.GetName(); strings.HasPrefix(name, "stampede_") {
			out[name] = f.GetType() == dto.MetricType_HISTOGRAM
		}
	}
	if len(out) == 0 {
		t.Fatal("the controller registers no stampede_* metric")
	}
	return out
}

// exposedSeries are the series names stampede's workers and controller
// expose: a histogram family as its _bucket, _sum and _count series.
func exposedSeries(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	add := func(families map[string]bool) {
		for name, histogram := range families {
			if histogram {
				out[name+"_bucket"], out[name+"_sum"], out[name+"_count"] = true, true, true
				continue
			}
			out[name] = true
		}
	}
	add(workerMetrics())
	add(controllerMetrics(t))
	return out
}
