package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/metrics"
)

// recordOneOfEach makes every metric family appear.
func recordOneOfEach(r *metrics.Recorder) {
	ep := r.Endpoint("create", "POST", []string{"status 201"})
	ep.Request(201, "", 12*time.Millisecond, 100, 200)
	ep.Request(0, generator.ReasonTimeout, 2*time.Second, 100, 0)
	ep.Check(0, true)
	ep.Check(0, false)
	task := r.Task("crud")
	task.Iteration(time.Second, true)
	task.Iteration(3*time.Second, false)
	r.DroppedIteration()
	r.SetUsers(3)
	r.SetUsersTarget(10)
	r.SetArrivalRateTarget(2.5)
}

// TestExposedNames pins the contract with dashboards: every family's exact
// name, type and label names, as a scrape shows them.
func TestExposedNames(t *testing.T) {
	r, reg := newRecorder(t, metrics.Options{RunID: "run-42", Scenario: "todo-crud"})
	recordOneOfEach(r)

	counter, gauge, histogram := dto.MetricType_COUNTER, dto.MetricType_GAUGE, dto.MetricType_HISTOGRAM
	want := map[string]struct {
		typ    dto.MetricType
		labels []string // besides run_id
	}{
		"stampede_requests_total":             {counter, []string{"endpoint", "method", "status"}},
		"stampede_request_errors_total":       {counter, []string{"endpoint", "method", "reason"}},
		"stampede_request_duration_seconds":   {histogram, []string{"endpoint", "method"}},
		"stampede_iterations_total":           {counter, []string{"task"}},
		"stampede_iterations_failed_total":    {counter, []string{"task"}},
		"stampede_iteration_duration_seconds": {histogram, []string{"task"}},
		"stampede_checks_total":               {counter, []string{"check", "endpoint", "result"}},
		"stampede_dropped_iterations_total":   {counter, nil},
		"stampede_users":                      {gauge, nil},
		"stampede_users_target":               {gauge, nil},
		"stampede_arrival_rate_target":        {gauge, nil},
		"stampede_data_sent_bytes_total":      {counter, nil},
		"stampede_data_received_bytes_total":  {counter, nil},
		"stampede_worker_cpu_utilization":     {gauge, nil},
		"stampede_run_info":                   {gauge, []string{"scenario"}},
	}

	fams := gather(t, reg)
	if got, exp := slices.Sorted(maps.Keys(fams)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, exp) {
		t.Fatalf("families:\n got %v\nwant %v", got, exp)
	}
	for name, w := range want {
		mf := fams[name]
		if mf.GetType() != w.typ {
			t.Errorf("%s: type %v, want %v", name, mf.GetType(), w.typ)
		}
		wantLabels := slices.Sorted(slices.Values(append([]string{"run_id"}, w.labels...)))
		for _, m := range mf.GetMetric() {
			got := slices.Sorted(maps.Keys(labels(m)))
			if !slices.Equal(got, wantLabels) {
				t.Errorf("%s: labels %v, want %v", name, got, wantLabels)
			}
			if id := labels(m)["run_id"]; id != "run-42" {
				t.Errorf("%s: run_id %q, want run-42", name, id)
			}
		}
	}

	// The text format, which is what Prometheus and people read.
	var text bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(fams)) {
		if _, err := expfmt.MetricFamilyToText(&text, fams[name]); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range []string{
		`stampede_requests_total{endpoint="create",method="POST",run_id="run-42",status="201"} 1`,
		`stampede_requests_total{endpoint="create",method="POST",run_id="run-42",status="error"} 1`,
		`stampede_request_errors_total{endpoint="create",method="POST",reason="timeout",run_id="run-42"} 1`,
		`stampede_request_duration_seconds_bucket{endpoint="create",method="POST",run_id="run-42",le="0.025"} 1`,
		`stampede_request_duration_seconds_count{endpoint="create",method="POST",run_id="run-42"} 2`,
		`stampede_checks_total{check="status 201",endpoint="create",result="pass",run_id="run-42"} 1`,
		`stampede_checks_total{check="status 201",endpoint="create",result="fail",run_id="run-42"} 1`,
		`stampede_iterations_total{run_id="run-42",task="crud"} 2`,
		`stampede_iterations_failed_total{run_id="run-42",task="crud"} 1`,
		`stampede_dropped_iterations_total{run_id="run-42"} 1`,
		`stampede_users{run_id="run-42"} 3`,
		`stampede_users_target{run_id="run-42"} 10`,
		`stampede_arrival_rate_target{run_id="run-42"} 2.5`,
		`stampede_data_sent_bytes_total{run_id="run-42"} 200`,
		`stampede_data_received_bytes_total{run_id="run-42"} 200`,
		`stampede_run_info{run_id="run-42",scenario="todo-crud"} 1`,
	} {
		if !strings.Contains(text.String(), line+"\n") {
			t.Errorf("exposition lacks %s", line)
		}
	}
	if strings.Contains(text.String(), "otel_scope") || strings.Contains(text.String(), "target_info") {
		t.Errorf("exposition has OTel scope or target info:\n%s", text.String())
	}
}

// TestRequestDurationBuckets checks the explicit buckets: 1ms to 60s.
func TestRequestDurationBuckets(t *testing.T) {
	r, reg := newRecorder(t, metrics.Options{})
	r.Endpoint("a", "GET", nil).Request(200, "", time.Millisecond, 0, 0)
	h := find(t, gather(t, reg), metrics.MetricRequestDuration, map[string]string{"endpoint": "a"}).GetHistogram()
	bounds := make([]float64, 0, len(h.GetBucket()))
	for _, b := range h.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if len(bounds) < 15 || len(bounds) > 25 || bounds[0] != 0.001 || bounds[len(bounds)-1] != 60 {
		t.Errorf("buckets %v: want about 20 from 0.001 to 60", bounds)
	}
}

// TestCounts checks that N requests from many goroutines show as N in the
// counters, the histogram and the snapshot.
func TestCounts(t *testing.T) {
	r, reg := newRecorder(t, metrics.Options{})
	const goroutines, each = 8, 250
	ep := r.Endpoint("read", "GET", []string{"ok"})
	task := r.Task("browse")
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				status, reason := 200, ""
				if i%10 == 0 {
					status, reason = 503, generator.ReasonStatus
				}
				ep.Request(status, reason, time.Duration(g*each+i)*time.Microsecond, 10, 20)
				ep.Check(0, reason == "")
				task.Iteration(time.Millisecond, reason == "")
			}
		})
	}
	wg.Wait()

	const n = goroutines * each
	fams := gather(t, reg)
	ok := find(t, fams, metrics.MetricRequests, map[string]string{"status": "200"}).GetCounter().GetValue()
	failed := find(t, fams, metrics.MetricRequests, map[string]string{"status": "503"}).GetCounter().GetValue()
	if ok+failed != n || failed != n/10 {
		t.Errorf("requests: %v ok + %v 503, want %d with %d 503", ok, failed, n, n/10)
	}
	if got := find(t, fams, metrics.MetricRequestErrors, map[string]string{"reason": "status"}).GetCounter().GetValue(); got != n/10 {
		t.Errorf("errors: %v, want %d", got, n/10)
	}
	if got := find(t, fams, metrics.MetricRequestDuration, nil).GetHistogram().GetSampleCount(); got != n {
		t.Errorf("duration count: %d, want %d", got, n)
	}
	if got := find(t, fams, metrics.MetricIterations, nil).GetCounter().GetValue(); got != n {
		t.Errorf("iterations: %v, want %d", got, n)
	}
	if got := find(t, fams, metrics.MetricDataSent, nil).GetCounter().GetValue(); got != 10*n {
		t.Errorf("sent bytes: %v, want %d", got, 10*n)
	}

	s := r.Snapshot()
	e := s.Endpoints[0]
	if e.Requests != n || e.Failures != n/10 || e.Latency.Count() != n || e.Statuses["200"] != n-n/10 ||
		e.Errors["status"] != n/10 || e.SentBytes != 10*n || e.ReceivedBytes != 20*n {
		t.Errorf("snapshot %+v", e)
	}
	if c := s.Checks[0]; c.Passed != n-n/10 || c.Failed != n/10 {
		t.Errorf("checks %+v", c)
	}
	if task := s.Tasks[0]; task.Iterations != n || task.Failed != n/10 || task.Duration.Count() != n {
		t.Errorf("task %+v", task)
	}
}

// TestEndpointCap checks that names past MaxEndpoints fold into "other"
// with one warning.
func TestEndpointCap(t *testing.T) {
	var logs logBuffer
	r, reg := newRecorder(t, metrics.Options{Logger: logs.Logger()})
	for i := range metrics.DefaultMaxEndpoints + 5 {
		r.Endpoint(fmt.Sprintf("/item/%d", i), "GET", nil).Request(200, "", time.Millisecond, 0, 0)
	}
	// A name admitted before the cap stays itself.
	r.Endpoint("/item/0", "POST", nil).Request(200, "", time.Millisecond, 0, 0)

	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "first_folded=/item/200") {
		t.Errorf("warning does not name the first folded endpoint:\n%s", logs.String())
	}
	fams := gather(t, reg)
	other := find(t, fams, metrics.MetricRequests, map[string]string{"endpoint": "other"})
	if got := other.GetCounter().GetValue(); got != 5 {
		t.Errorf(`endpoint="other" counted %v, want 5`, got)
	}
	find(t, fams, metrics.MetricRequests, map[string]string{"endpoint": "/item/0", "method": "POST"})
	if n := len(fams[metrics.MetricRequests].GetMetric()); n != metrics.DefaultMaxEndpoints+2 {
		t.Errorf("%d series, want %d", n, metrics.DefaultMaxEndpoints+2)
	}
	s := r.Snapshot()
	if len(s.Endpoints) != metrics.DefaultMaxEndpoints+2 {
		t.Errorf("snapshot has %d endpoints, want %d", len(s.Endpoints), metrics.DefaultMaxEndpoints+2)
	}
}

func TestMaxEndpointsOption(t *testing.T) {
	r, _ := newRecorder(t, metrics.Options{MaxEndpoints: 2})
	for _, name := range []string{"a", "b", "c", "d"} {
		r.Endpoint(name, "GET", []string{"ok"}).Check(0, true)
	}
	s := r.Snapshot()
	var names []string
	for _, c := range s.Checks {
		names = append(names, fmt.Sprintf("%s/%s=%d", c.Endpoint, c.Name, c.Passed))
	}
	if want := []string{"a/ok=1", "b/ok=1", "other/ok=2"}; !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}
}

func TestCheckIndexOutOfRange(t *testing.T) {
	r, _ := newRecorder(t, metrics.Options{})
	ep := r.Endpoint("a", "GET", []string{"ok"})
	ep.Check(-1, true)
	ep.Check(1, false)
	if c := r.Snapshot().Checks[0]; c.Passed != 0 || c.Failed != 0 {
		t.Errorf("out-of-range checks were counted: %+v", c)
	}
}

func TestShutdown(t *testing.T) {
	reg := prometheus.NewRegistry()
	r, err := metrics.NewRecorder(reg, metrics.Options{RunID: "r"})
	if err != nil {
		t.Fatal(err)
	}
	r.Endpoint("a", "GET", nil).Request(200, "", time.Millisecond, 0, 0)
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if fams := gather(t, reg); len(fams) != 0 {
		t.Errorf("families after Shutdown: %v", slices.Sorted(maps.Keys(fams)))
	}
	// Recording after Shutdown is harmless and still counted in the stats.
	r.Endpoint("a", "GET", nil).Request(200, "", time.Millisecond, 0, 0)
	if got := r.Snapshot().Endpoints[0].Requests; got != 2 {
		t.Errorf("requests %d, want 2", got)
	}
}

func TestNewRecorderNilRegisterer(t *testing.T) {
	if _, err := metrics.NewRecorder(nil, metrics.Options{}); err == nil || !strings.Contains(err.Error(), "Registerer") {
		t.Errorf("err %v, want one naming the Registerer", err)
	}
}

// TestTwoRunsOneRegistry checks that a worker can run again into the same
// registry once the previous recorder is shut down.
func TestTwoRunsOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	first, err := metrics.NewRecorder(reg, metrics.Options{RunID: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	second, err := metrics.NewRecorder(reg, metrics.Options{RunID: "two"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = second.Shutdown(context.Background()) }()
	info := find(t, gather(t, reg), metrics.MetricRunInfo, nil)
	if id := labels(info)["run_id"]; id != "two" {
		t.Errorf("run_id %q, want two", id)
	}
}

func TestSnapshotTimes(t *testing.T) {
	clk := fakeclock.New()
	start := clk.Now()
	r, _ := newRecorder(t, metrics.Options{RunID: "r", Now: clk.Now})
	clk.Advance(90 * time.Second)
	s := r.Snapshot()
	if !s.Started.Equal(start) || !s.Taken.Equal(start.Add(90*time.Second)) || s.RunID != "r" {
		t.Errorf("snapshot run %q %v..%v", s.RunID, s.Started, s.Taken)
	}
}
