package metrics

import (
	"encoding/json"
	"math"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// Summary is the end-of-run view of a Snapshot, for people (WriteTable),
// spreadsheets (WriteCSV) and programs (JSON).
//
// Its JSON shape is stable, with snake_case keys and every duration a number
// of milliseconds:
//
//	{
//	  "run_id": "r1", "duration_ms": 60000, "passed": true, "dropped_iterations": 0,
//	  "endpoints": [{"name": "create", "method": "POST",
//	                 "requests": 1200, "failures": 3, "failure_rate": 0.0025, "rps": 20,
//	                 "mean_ms": 12.1, "p50_ms": 10.5, "p90_ms": 20.1, "p95_ms": 25.3, "p99_ms": 40.2, "max_ms": 80.9,
//	                 "sent_bytes": 96000, "received_bytes": 180000,
//	                 "statuses": {"201": 1197, "error": 3}, "errors": {"timeout": 3}}],
//	  "total": {...the same fields, "name": "total"...},
//	  "tasks": [{"name": "crud", "iterations": 300, "failed": 1, "failure_rate": 0.0033,
//	             "mean_ms": 2100, "p50_ms": 2000, "p90_ms": 2500, "p95_ms": 2700, "p99_ms": 3000, "max_ms": 3500}],
//	  "checks": [{"endpoint": "create", "name": "status 201", "passed": 1197, "failed": 3}],
//	  "thresholds": [{"threshold": "http_req_failed rate < 1%", "value": "0.25%", "passed": true}]
//	}
type Summary struct {
	RunID      string
	Duration   time.Duration // Taken - Started
	Endpoints  []EndpointSummary
	Total      EndpointSummary
	Checks     []CheckStats
	Tasks      []TaskSummary
	Dropped    int64
	Thresholds []ThresholdResult
	Passed     bool // every threshold passed
}

// EndpointSummary is one endpoint's line of a Summary.
type EndpointSummary struct {
	Name, Method       string
	Requests, Failures int64
	FailureRate        float64 // Failures / Requests, 0 without requests
	RPS                float64 // Requests per second of the run's duration
	Mean, P50, P90     time.Duration
	P95, P99, Max      time.Duration
	SentBytes          int64
	ReceivedBytes      int64
	Statuses           map[string]int64
	Errors             map[string]int64
}

// TaskSummary is one task's line of a Summary.
type TaskSummary struct {
	Name               string
	Iterations, Failed int64
	FailureRate        float64
	Mean, P50, P90     time.Duration
	P95, P99, Max      time.Duration
}

// ThresholdResult is the outcome of one threshold: Threshold is how it reads
// ("http_req_duration{endpoint=create} p95 < 300ms"), Value what the run
// measured ("231.4ms", "0.52%", or "no data").
type ThresholdResult struct {
	Threshold string `json:"threshold"`
	Value     string `json:"value"`
	Passed    bool   `json:"passed"`
}

// Summarize computes the summary of s and evaluates thresholds over it; see
// Evaluate for what a threshold means.
func (s *Snapshot) Summarize(thresholds []scenario.Threshold) Summary {
	sum := Summary{
		RunID:    s.RunID,
		Duration: max(s.Taken.Sub(s.Started), 0),
		Checks:   append([]CheckStats{}, s.Checks...),
		Dropped:  s.Dropped,
		Passed:   true,
	}
	for _, e := range s.Endpoints {
		sum.Endpoints = append(sum.Endpoints, summarizeEndpoint(e, sum.Duration))
	}
	sum.Total = summarizeEndpoint(s.Total(), sum.Duration)
	for _, t := range s.Tasks {
		sum.Tasks = append(sum.Tasks, summarizeTask(t))
	}
	for _, t := range thresholds {
		r := s.Evaluate(t)
		sum.Thresholds = append(sum.Thresholds, r)
		sum.Passed = sum.Passed && r.Passed
	}
	return sum
}

func summarizeEndpoint(e EndpointStats, d time.Duration) EndpointSummary {
	l := e.Latency
	out := EndpointSummary{
		Name: e.Name, Method: e.Method,
		Requests: e.Requests, Failures: e.Failures,
		FailureRate: rate(e.Failures, e.Requests),
		Mean:        l.Mean(), P50: l.Quantile(0.50), P90: l.Quantile(0.90),
		P95: l.Quantile(0.95), P99: l.Quantile(0.99), Max: l.Max(),
		SentBytes: e.SentBytes, ReceivedBytes: e.ReceivedBytes,
		Statuses: e.Statuses, Errors: e.Errors,
	}
	if d > 0 {
		out.RPS = float64(e.Requests) / d.Seconds()
	}
	return out
}

func summarizeTask(t TaskStats) TaskSummary {
	h := t.Duration
	return TaskSummary{
		Name: t.Name, Iterations: t.Iterations, Failed: t.Failed,
		FailureRate: rate(t.Failed, t.Iterations),
		Mean:        h.Mean(), P50: h.Quantile(0.50), P90: h.Quantile(0.90),
		P95: h.Quantile(0.95), P99: h.Quantile(0.99), Max: h.Max(),
	}
}

// rate returns n/of, or 0 when of is 0.
func rate(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// ms is a duration as JSON shows it: milliseconds, to the microsecond.
type ms float64

func toMS(d time.Duration) ms { return ms(math.Round(float64(d)/1e3) / 1e3) }

func (m ms) duration() time.Duration { return time.Duration(math.Round(float64(m) * 1e6)) }

// The JSON shapes, with durations in milliseconds.
type (
	summaryJSON struct {
		RunID      string                `json:"run_id"`
		DurationMS ms                    `json:"duration_ms"`
		Passed     bool                  `json:"passed"`
		Dropped    int64                 `json:"dropped_iterations"`
		Endpoints  []endpointSummaryJSON `json:"endpoints"`
		Total      endpointSummaryJSON   `json:"total"`
		Tasks      []taskSummaryJSON     `json:"tasks"`
		Checks     []CheckStats          `json:"checks"`
		Thresholds []ThresholdResult     `json:"thresholds"`
	}
	endpointSummaryJSON struct {
		Name          string           `json:"name"`
		Method        string           `json:"method"`
		Requests      int64            `json:"requests"`
		Failures      int64            `json:"failures"`
		FailureRate   float64          `json:"failure_rate"`
		RPS           float64          `json:"rps"`
		MeanMS        ms               `json:"mean_ms"`
		P50MS         ms               `json:"p50_ms"`
		P90MS         ms               `json:"p90_ms"`
		P95MS         ms               `json:"p95_ms"`
		P99MS         ms               `json:"p99_ms"`
		MaxMS         ms               `json:"max_ms"`
		SentBytes     int64            `json:"sent_bytes"`
		ReceivedBytes int64            `json:"received_bytes"`
		Statuses      map[string]int64 `json:"statuses"`
		Errors        map[string]int64 `json:"errors"`
	}
	taskSummaryJSON struct {
		Name        string  `json:"name"`
		Iterations  int64   `json:"iterations"`
		Failed      int64   `json:"failed"`
		FailureRate float64 `json:"failure_rate"`
		MeanMS      ms      `json:"mean_ms"`
		P50MS       ms      `json:"p50_ms"`
		P90MS       ms      `json:"p90_ms"`
		P95MS       ms      `json:"p95_ms"`
		P99MS       ms      `json:"p99_ms"`
		MaxMS       ms      `json:"max_ms"`
	}
)

// MarshalJSON writes the shape documented on Summary.
func (s Summary) MarshalJSON() ([]byte, error) {
	out := summaryJSON{
		RunID: s.RunID, DurationMS: toMS(s.Duration), Passed: s.Passed, Dropped: s.Dropped,
		Endpoints:  make([]endpointSummaryJSON, 0, len(s.Endpoints)),
		Total:      s.Total.toJSON(),
		Tasks:      make([]taskSummaryJSON, 0, len(s.Tasks)),
		Checks:     nonNil(s.Checks),
		Thresholds: nonNil(s.Thresholds),
	}
	for _, e := range s.Endpoints {
		out.Endpoints = append(out.Endpoints, e.toJSON())
	}
	for _, t := range s.Tasks {
		out.Tasks = append(out.Tasks, t.toJSON())
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the shape MarshalJSON writes.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var in summaryJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*s = Summary{
		RunID: in.RunID, Duration: in.DurationMS.duration(), Passed: in.Passed, Dropped: in.Dropped,
		Total: in.Total.summary(), Checks: in.Checks, Thresholds: in.Thresholds,
	}
	for _, e := range in.Endpoints {
		s.Endpoints = append(s.Endpoints, e.summary())
	}
	for _, t := range in.Tasks {
		s.Tasks = append(s.Tasks, t.summary())
	}
	return nil
}

// MarshalJSON writes an endpoint as documented on Summary.
func (e EndpointSummary) MarshalJSON() ([]byte, error) { return json.Marshal(e.toJSON()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (e *EndpointSummary) UnmarshalJSON(data []byte) error {
	var in endpointSummaryJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*e = in.summary()
	return nil
}

// MarshalJSON writes a task as documented on Summary.
func (t TaskSummary) MarshalJSON() ([]byte, error) { return json.Marshal(t.toJSON()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (t *TaskSummary) UnmarshalJSON(data []byte) error {
	var in taskSummaryJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*t = in.summary()
	return nil
}

func (e EndpointSummary) toJSON() endpointSummaryJSON {
	return endpointSummaryJSON{
		Name: e.Name, Method: e.Method, Requests: e.Requests, Failures: e.Failures,
		FailureRate: e.FailureRate, RPS: e.RPS,
		MeanMS: toMS(e.Mean), P50MS: toMS(e.P50), P90MS: toMS(e.P90),
		P95MS: toMS(e.P95), P99MS: toMS(e.P99), MaxMS: toMS(e.Max),
		SentBytes: e.SentBytes, ReceivedBytes: e.ReceivedBytes,
		Statuses: nonNilMap(e.Statuses), Errors: nonNilMap(e.Errors),
	}
}

func (e endpointSummaryJSON) summary() EndpointSummary {
	return EndpointSummary{
		Name: e.Name, Method: e.Method, Requests: e.Requests, Failures: e.Failures,
		FailureRate: e.FailureRate, RPS: e.RPS,
		Mean: e.MeanMS.duration(), P50: e.P50MS.duration(), P90: e.P90MS.duration(),
		P95: e.P95MS.duration(), P99: e.P99MS.duration(), Max: e.MaxMS.duration(),
		SentBytes: e.SentBytes, ReceivedBytes: e.ReceivedBytes,
		Statuses: e.Statuses, Errors: e.Errors,
	}
}

func (t TaskSummary) toJSON() taskSummaryJSON {
	return taskSummaryJSON{
		Name: t.Name, Iterations: t.Iterations, Failed: t.Failed, FailureRate: t.FailureRate,
		MeanMS: toMS(t.Mean), P50MS: toMS(t.P50), P90MS: toMS(t.P90),
		P95MS: toMS(t.P95), P99MS: toMS(t.P99), MaxMS: toMS(t.Max),
	}
}

func (t taskSummaryJSON) summary() TaskSummary {
	return TaskSummary{
		Name: t.Name, Iterations: t.Iterations, Failed: t.Failed, FailureRate: t.FailureRate,
		Mean: t.MeanMS.duration(), P50: t.P50MS.duration(), P90: t.P90MS.duration(),
		P95: t.P95MS.duration(), P99: t.P99MS.duration(), Max: t.MaxMS.duration(),
	}
}

// nonNil makes an empty list show as [] rather than null in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}
