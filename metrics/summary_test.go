package metrics_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"

	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// runSnapshot is a minute-long run of the workload, the same every time.
func runSnapshot(t *testing.T) *metrics.Snapshot {
	t.Helper()
	clk := fakeclock.New()
	r, _ := newRecorder(t, metrics.Options{RunID: "run-7", Now: clk.Now})
	replay(r, workload(4200, 9))
	clk.Advance(time.Minute)
	return r.Snapshot()
}

func thresholds() []scenario.Threshold {
	return []scenario.Threshold{
		{Metric: scenario.MetricHTTPReqFailed, MaxRate: 0.01},
		{Metric: scenario.MetricHTTPReqDuration, Endpoint: "create", P: 95, Max: 300 * time.Millisecond},
		{Metric: scenario.MetricChecks, MinRate: 0.5},
		{Metric: scenario.MetricHTTPReqDuration, Endpoint: "missing", P: 99, Max: time.Second},
	}
}

func TestSummaryTableGolden(t *testing.T) {
	sum := runSnapshot(t).Summarize(thresholds())
	var buf bytes.Buffer
	if err := sum.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden", buf.Bytes())
}

func TestSummary(t *testing.T) {
	sum := runSnapshot(t).Summarize(thresholds())
	if sum.RunID != "run-7" || sum.Duration != time.Minute || sum.Dropped != 600 {
		t.Errorf("run %q duration %v dropped %d", sum.RunID, sum.Duration, sum.Dropped)
	}
	if sum.Passed {
		t.Error("passed with a breached threshold")
	}
	if sum.Total.Name != "total" || sum.Total.Requests != 3600 || sum.Total.RPS != 60 {
		t.Errorf("total %+v", sum.Total)
	}
	var names []string
	for _, e := range sum.Endpoints {
		names = append(names, e.Name+" "+e.Method)
		if !(e.P50 <= e.P90 && e.P90 <= e.P95 && e.P95 <= e.P99 && e.P99 <= e.Max) {
			t.Errorf("%s %s: percentiles out of order: %v %v %v %v %v", e.Name, e.Method, e.P50, e.P90, e.P95, e.P99, e.Max)
		}
	}
	if want := []string{"/todo/[id] GET", "/todo/[id] PUT", "create POST", "list GET"}; !slices.Equal(names, want) {
		t.Errorf("endpoints %v, want %v", names, want)
	}
}

func TestThresholds(t *testing.T) {
	s := runSnapshot(t)
	// The workload: of every 7 events, 1 is dropped and 6 are requests, of
	// which 2 fail (a timeout, a 500) and 1 fails its check.
	tests := []struct {
		name   string
		t      scenario.Threshold
		value  string
		passed bool
	}{
		{"failed rate over the limit", scenario.Threshold{Metric: "http_req_failed", MaxRate: 0.3}, "33.33%", false},
		{"failed rate within the limit", scenario.Threshold{Metric: "http_req_failed", MaxRate: 0.34}, "33.33%", true},
		{"failed rate of one endpoint", scenario.Threshold{Metric: "http_req_failed", Endpoint: "create", MaxRate: 0}, "0%", true},
		{"failed rate over all methods of an endpoint", scenario.Threshold{Metric: "http_req_failed", Endpoint: "/todo/[id]", MaxRate: 0.4}, "50%", false},
		{"failed rate without data", scenario.Threshold{Metric: "http_req_failed", Endpoint: "nope", MaxRate: 1}, "no data", false},
		{"duration within", scenario.Threshold{Metric: "http_req_duration", P: 50, Max: time.Minute}, "", true},
		{"duration over", scenario.Threshold{Metric: "http_req_duration", P: 99, Max: time.Millisecond}, "", false},
		{"duration without data", scenario.Threshold{Metric: "http_req_duration", Endpoint: "nope", P: 95, Max: time.Hour}, "no data", false},
		{"checks rate within", scenario.Threshold{Metric: "checks", MinRate: 0.8}, "83.33%", true},
		{"checks rate under", scenario.Threshold{Metric: "checks", MinRate: 0.9}, "83.33%", false},
		{"checks of one endpoint", scenario.Threshold{Metric: "checks", Endpoint: "create", MinRate: 1}, "100%", true},
		{"checks without data", scenario.Threshold{Metric: "checks", Endpoint: "nope", MinRate: 0}, "no data", false},
		{"unknown metric", scenario.Threshold{Metric: "vus"}, `unknown metric "vus"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Evaluate(tt.t)
			if got.Passed != tt.passed || (tt.value != "" && got.Value != tt.value) || got.Threshold != tt.t.String() {
				t.Errorf("got %+v, want value %q passed %v", got, tt.value, tt.passed)
			}
		})
	}
	// A duration threshold compares the percentile itself.
	p95 := s.Total().Latency.Quantile(0.95)
	at := s.Evaluate(scenario.Threshold{Metric: "http_req_duration", P: 95, Max: p95})
	below := s.Evaluate(scenario.Threshold{Metric: "http_req_duration", P: 95, Max: p95 - time.Microsecond})
	if !at.Passed || below.Passed {
		t.Errorf("p95 %v: at %+v, below %+v", p95, at, below)
	}
}

func TestSummaryCSV(t *testing.T) {
	sum := runSnapshot(t).Summarize(nil)
	var buf bytes.Buffer
	if err := sum.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(buf.Bytes())
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(sum.Endpoints)+1 {
		t.Fatalf("%d rows, want header + %d endpoints + total", len(rows), len(sum.Endpoints))
	}
	header := strings.Join(rows[0], ",")
	if header != "endpoint,method,requests,failures,failure_rate,rps,mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,sent_bytes,received_bytes" {
		t.Errorf("header %s", header)
	}
	if last := rows[len(rows)-1]; last[0] != "total" || last[2] != "3600" {
		t.Errorf("total row %v", last)
	}
	golden(t, "summary.csv", out)
}

func TestSummaryJSON(t *testing.T) {
	sum := runSnapshot(t).Summarize(thresholds())
	data, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]any
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"run_id", "duration_ms", "passed", "dropped_iterations", "endpoints", "total", "tasks", "checks", "thresholds"} {
		if _, ok := shape[key]; !ok {
			t.Errorf("no key %q in %s", key, data)
		}
	}
	if d, _ := shape["duration_ms"].(float64); d != 60000 {
		t.Errorf("duration_ms %v, want 60000", shape["duration_ms"])
	}
	total, _ := shape["total"].(map[string]any)
	for _, key := range []string{"name", "method", "requests", "failures", "failure_rate", "rps", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "sent_bytes", "received_bytes", "statuses", "errors"} {
		if _, ok := total[key]; !ok {
			t.Errorf("no key %q in total: %v", key, total)
		}
	}
	if p95, _ := total["p95_ms"].(float64); p95 != float64(sum.Total.P95.Microseconds())/1000 {
		t.Errorf("p95_ms %v, want %v", total["p95_ms"], sum.Total.P95)
	}

	var back metrics.Summary
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if again := mustJSON(t, back); again != string(data) {
		t.Errorf("round trip changed the summary:\n%s\n%s", data, again)
	}
	if back.Total.P95 != sum.Total.P95 || back.Duration != time.Minute {
		t.Errorf("round trip: p95 %v duration %v", back.Total.P95, back.Duration)
	}
	indented, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", append(indented, '\n'))
}

func TestSummaryEmpty(t *testing.T) {
	sum := (&metrics.Snapshot{}).Summarize(nil)
	if !sum.Passed || sum.Total.Requests != 0 || sum.Total.RPS != 0 {
		t.Errorf("empty summary %+v", sum)
	}
	var buf bytes.Buffer
	if err := sum.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "total") {
		t.Errorf("no total row:\n%s", buf.String())
	}
	data := mustJSON(t, sum)
	if !strings.Contains(data, `"endpoints":[]`) || !strings.Contains(data, `"thresholds":[]`) {
		t.Errorf("empty lists are not []: %s", data)
	}
}

func TestSummaryTableColorOnlyPaintsTheVerdicts(t *testing.T) {
	sum := runSnapshot(t).Summarize(thresholds())
	var plain, colored bytes.Buffer
	if err := sum.WriteTable(&plain); err != nil {
		t.Fatal(err)
	}
	if err := sum.WriteTableColor(&colored, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\033[") {
		t.Error("WriteTable wrote colour escapes")
	}
	if !strings.Contains(colored.String(), "\033[31mFAIL\033[0m") {
		t.Errorf("no red FAIL in the coloured table:\n%s", colored.String())
	}
	// Stripped of its escapes, the coloured table is the plain one.
	stripped := strings.NewReplacer("\033[32m", "", "\033[31m", "", "\033[0m", "").Replace(colored.String())
	if stripped != plain.String() {
		t.Errorf("colour changed more than the verdicts:\n%s\n---\n%s", stripped, plain.String())
	}
}
