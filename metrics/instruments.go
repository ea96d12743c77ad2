package metrics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	"go.opentelemetry.io/otel/sdk/resource"
)

// meterName is the instrumentation scope of stampede's instruments (not
// exposed: the exporter runs without scope labels).
const meterName = "github.com/stampedehq/stampede/metrics"

// instruments are the OTel instruments behind the exposed metrics.
//
// The histograms are synchronous, recorded on every request or iteration.
// The counters are asynchronous: the Recorder counts every request, check
// and iteration anyway for its Snapshot, so the exporter reads those counts
// when Prometheus scrapes instead of each measurement going through the SDK
// a second time. That keeps a request's cost to one SDK call (an SDK call
// costs about 120ns, mostly normalizing its attribute set) and keeps /metrics
// and the Snapshot in step.
type instruments struct {
	requestDuration   metric.Float64Histogram
	iterationDuration metric.Float64Histogram

	requests         metric.Int64ObservableCounter
	requestErrors    metric.Int64ObservableCounter
	iterations       metric.Int64ObservableCounter
	iterationsFailed metric.Int64ObservableCounter
	checks           metric.Int64ObservableCounter
	dropped          metric.Int64ObservableCounter
	dataSent         metric.Int64ObservableCounter
	dataReceived     metric.Int64ObservableCounter

	users             metric.Int64ObservableGauge
	usersTarget       metric.Int64ObservableGauge
	arrivalRateTarget metric.Float64ObservableGauge
	workerCPU         metric.Float64ObservableGauge
	runInfo           metric.Int64ObservableGauge
}

// newMeterProvider builds a meter provider whose only reader is a Prometheus
// exporter registered into reg.
//
// The translation strategy adds no suffixes, so each instrument's name is
// exactly its exposed name: the exporter's default would append unit suffixes
// ("_seconds", "_bytes", "_ratio" for unit "1") and "_total" by its own rules.
// run_id reaches every series as a resource attribute turned into a constant
// label, so that no attribute set has to carry it.
func newMeterProvider(reg prometheus.Registerer, runID string) (*sdkmetric.MeterProvider, error) {
	exporter, err := otelprom.New(
		otelprom.WithRegisterer(reg),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithoutSuffixes),
		otelprom.WithoutScopeInfo(),
		otelprom.WithoutTargetInfo(),
		otelprom.WithResourceAsConstantLabels(attribute.NewAllowKeysFilter(LabelRunID)),
	)
	if err != nil {
		return nil, fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	return sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(exporter),
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String(LabelRunID, runID))),
		// The engine has no traces to link exemplars to; skipping the
		// exemplar reservoirs saves time on every measurement.
		sdkmetric.WithExemplarFilter(exemplar.AlwaysOffFilter),
		// Series are bounded here instead (MaxEndpoints); the SDK's default
		// of 2000 per instrument would fold real series into an overflow
		// series with an otel_metric_overflow label.
		sdkmetric.WithCardinalityLimit(0),
	), nil
}

// newInstruments creates every instrument on m.
func newInstruments(m metric.Meter) (*instruments, error) {
	var in instruments
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	in.requests, err = m.Int64ObservableCounter(MetricRequests, metric.WithUnit("{request}"),
		metric.WithDescription("HTTP requests completed, by endpoint, method and status code (\"error\" when no response arrived)."))
	add(err)
	in.requestErrors, err = m.Int64ObservableCounter(MetricRequestErrors, metric.WithUnit("{request}"),
		metric.WithDescription("Failed HTTP requests, by endpoint, method and reason."))
	add(err)
	in.requestDuration, err = m.Float64Histogram(MetricRequestDuration, metric.WithUnit("s"),
		metric.WithDescription("HTTP request duration, from the intended send time in the open model."),
		metric.WithExplicitBucketBoundaries(requestDurationBuckets()...))
	add(err)
	in.iterations, err = m.Int64ObservableCounter(MetricIterations, metric.WithUnit("{iteration}"),
		metric.WithDescription("Task iterations finished, by task."))
	add(err)
	in.iterationsFailed, err = m.Int64ObservableCounter(MetricIterationsFailed, metric.WithUnit("{iteration}"),
		metric.WithDescription("Task iterations with a failed request or cut short, by task."))
	add(err)
	in.iterationDuration, err = m.Float64Histogram(MetricIterationDuration, metric.WithUnit("s"),
		metric.WithDescription("Task iteration duration, think time included."),
		metric.WithExplicitBucketBoundaries(iterationDurationBuckets()...))
	add(err)
	in.checks, err = m.Int64ObservableCounter(MetricChecks, metric.WithUnit("{check}"),
		metric.WithDescription("Check outcomes, by endpoint, check and result (pass or fail)."))
	add(err)
	in.dropped, err = m.Int64ObservableCounter(MetricDroppedIterations, metric.WithUnit("{iteration}"),
		metric.WithDescription("Open-model arrivals that found no free slot and were not run."))
	add(err)
	in.dataSent, err = m.Int64ObservableCounter(MetricDataSent, metric.WithUnit("By"),
		metric.WithDescription("Bytes sent in HTTP requests."))
	add(err)
	in.dataReceived, err = m.Int64ObservableCounter(MetricDataReceived, metric.WithUnit("By"),
		metric.WithDescription("Bytes received in HTTP responses."))
	add(err)
	in.users, err = m.Int64ObservableGauge(MetricUsers, metric.WithUnit("{user}"),
		metric.WithDescription("Virtual users running (in-flight iterations in the open model)."))
	add(err)
	in.usersTarget, err = m.Int64ObservableGauge(MetricUsersTarget, metric.WithUnit("{user}"),
		metric.WithDescription("Virtual users this worker is ramping to."))
	add(err)
	in.arrivalRateTarget, err = m.Float64ObservableGauge(MetricArrivalRateTarget, metric.WithUnit("{iteration}/s"),
		metric.WithDescription("Target arrival rate of the open model, iterations per second."))
	add(err)
	// No unit: unit "1" would make the exporter's naming rules add "_ratio"
	// were suffixes ever turned on.
	in.workerCPU, err = m.Float64ObservableGauge(MetricWorkerCPU,
		metric.WithDescription("CPU used by this worker process as a fraction (0..1) of its CPU quota; near 1 the results are skewed."))
	add(err)
	in.runInfo, err = m.Int64ObservableGauge(MetricRunInfo,
		metric.WithDescription("Always 1; its labels name the run and its scenario."))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("metrics: creating instruments: %w", err)
	}
	return &in, nil
}

// observables are the asynchronous instruments, which the Recorder's
// callback observes.
func (in *instruments) observables() []metric.Observable {
	return []metric.Observable{
		in.requests, in.requestErrors, in.iterations, in.iterationsFailed, in.checks,
		in.dropped, in.dataSent, in.dataReceived,
		in.users, in.usersTarget, in.arrivalRateTarget, in.workerCPU, in.runInfo,
	}
}
