package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// want is what a parser must get from a captured report; zero latencies
// are not checked, -1 means the quantile must be absent.
type want struct {
	requests, errors, iterations, checksFailed, dropped int64
	rps, iterPerSec                                     float64
	latency                                             map[quantile]time.Duration
}

func checkResult(t *testing.T, got result, w want) {
	t.Helper()
	if got.requests != w.requests || got.errors != w.errors {
		t.Errorf("requests/errors = %d/%d, want %d/%d", got.requests, got.errors, w.requests, w.errors)
	}
	if got.iterations != w.iterations || got.checksFailed != w.checksFailed || got.dropped != w.dropped {
		t.Errorf("iterations/checks failed/dropped = %d/%d/%d, want %d/%d/%d",
			got.iterations, got.checksFailed, got.dropped, w.iterations, w.checksFailed, w.dropped)
	}
	if math.Abs(got.rps-w.rps) > 0.01 || math.Abs(got.iterPerSec-w.iterPerSec) > 0.01 {
		t.Errorf("rps/iterations per s = %v/%v, want %v/%v", got.rps, got.iterPerSec, w.rps, w.iterPerSec)
	}
	for q, d := range w.latency {
		g, ok := got.latency[q]
		switch {
		case d < 0 && ok:
			t.Errorf("latency %v = %v, want none", q, g)
		case d >= 0 && !ok:
			t.Errorf("latency %v missing, want %v", q, d)
		case d >= 0 && g != d:
			t.Errorf("latency %v = %v, want %v", q, g, d)
		}
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		file  string
		parse func(string) (result, error)
		want  want
	}{
		{"wrk.txt", parseWrk, want{requests: 83729, rps: 39869.34, latency: map[quantile]time.Duration{
			p50: 172 * time.Microsecond, p90: 1010 * time.Microsecond, p99: 5060 * time.Microsecond, pMax: 18960 * time.Microsecond, p95: -1}}},
		{"wrk-non2xx.txt", parseWrk, want{requests: 52095, errors: 52095, rps: 47374.55, latency: map[quantile]time.Duration{
			p50: 63 * time.Microsecond, p99: 3360 * time.Microsecond}}},
		{"hey.txt", parseHey, want{requests: 40180, rps: 20082.6223, latency: map[quantile]time.Duration{
			p50: 400 * time.Microsecond, p90: 800 * time.Microsecond, p95: time.Millisecond, p99: 1800 * time.Microsecond, pMax: 9500 * time.Microsecond}}},
		{"hey-404.txt", parseHey, want{requests: 200, errors: 200, rps: 19579.3993, latency: map[quantile]time.Duration{
			p50: 100 * time.Microsecond, p99: time.Millisecond}}},
		{"hey-refused.txt", parseHey, want{requests: 20, errors: 20, rps: 15953.6196, latency: map[quantile]time.Duration{p50: -1, p99: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := tt.parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, got, tt.want)
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		file  string
		parse func([]byte) (result, error)
		want  want
	}{
		{"vegeta.json", parseVegetaJSON, want{requests: 42317, rps: 42317 / 2.000691995, latency: map[quantile]time.Duration{
			p50: 281580, p90: 585054, p95: 866453, p99: 2272209, pMax: 39127066}}},
		{"k6-handlesummary.json", parseK6Summary, want{requests: 38129, rps: 19063.06960257237, iterations: 38129, iterPerSec: 19063.06960257237,
			latency: map[quantile]time.Duration{p50: 359955, p90: 942423, p99: 2934886, pMax: 7142289}}},
		{"k6-summary-export.json", parseK6Summary, want{requests: 38129, rps: 19063.06960257237, iterations: 38129, iterPerSec: 19063.06960257237,
			latency: map[quantile]time.Duration{p50: 359955, p95: 1395816, pMax: 7142289}}},
		{"k6-open-dropped-failed.json", parseK6Summary, want{requests: 160, errors: 160, rps: 79.72274788080394, iterations: 160,
			iterPerSec: 79.72274788080394, checksFailed: 160, dropped: 241, latency: map[quantile]time.Duration{p50: 21195352}}},
		{"stampede-raw.json", parseStampedeSummary, want{requests: 55382, rps: 27676.07104294819, iterations: 55382, iterPerSec: 55382 / 2.001079,
			latency: map[quantile]time.Duration{p50: 120 * time.Microsecond, p99: 1071 * time.Microsecond, pMax: 7263 * time.Microsecond}}},
		{"stampede-crud.json", parseStampedeSummary, want{requests: 746, rps: 372.7452671890115, iterations: 227, iterPerSec: 227 / 2.001367,
			latency: map[quantile]time.Duration{p50: 192 * time.Microsecond, p90: 341 * time.Microsecond, p95: 441 * time.Microsecond}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := tt.parse([]byte(readTestdata(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, got, tt.want)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
	}{
		{"wrk connection refused", func() error { _, err := parseWrk(readTestdata(t, "wrk-refused.txt")); return err }},
		{"wrk bad latency", func() error {
			_, err := parseWrk("  Latency Distribution\n     50%  12.00parsecs\nRequests/sec: 1.0\n")
			return err
		}},
		{"hey empty", func() error { _, err := parseHey(""); return err }},
		{"vegeta not JSON", func() error { _, err := parseVegetaJSON([]byte("Requests [total] 1")); return err }},
		{"vegeta no requests", func() error { _, err := parseVegetaJSON([]byte(`{"requests":0}`)); return err }},
		{"k6 no http_reqs", func() error { _, err := parseK6Summary([]byte(`{"metrics":{}}`)); return err }},
		{"stampede no duration", func() error { _, err := parseStampedeSummary([]byte(`{"total":{}}`)); return err }},
		{"VmRSS missing", func() error { _, err := parseVmRSS("Name:\tx\n"); return err }},
		{"VmRSS not kB", func() error { _, err := parseVmRSS("VmRSS:\t12 MB\n"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseGauge(t *testing.T) {
	stampedeMetrics := readTestdata(t, "stampede-metrics.txt")
	tests := []struct {
		name       string
		exposition string
		metric     string
		want       float64
		found      bool
	}{
		{"with labels", stampedeMetrics, "stampede_users", 4, true},
		{"prefix of another metric is not it", stampedeMetrics, "stampede_user", 0, false},
		{"without labels", readTestdata(t, "demo-target-metrics.txt"), "demotarget_items", 0, true},
		{"summed over label sets", "x{a=\"1\"} 2\nx{a=\"2\"} 3.5\n# x 9\n", "x", 5.5, true},
		{"label value with braces", "x{a=\"}{\"} 7 1700000000\n", "x", 7, true},
		{"absent", "y 1\n", "x", 0, false},
		{"not a number", "x NaN\nx oops\n", "x", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := parseGauge(tt.exposition, tt.metric)
			if got != tt.want || found != tt.found {
				t.Errorf("parseGauge(%q) = %v, %v; want %v, %v", tt.metric, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestParseVmRSS(t *testing.T) {
	got, err := parseVmRSS(readTestdata(t, "proc-status.txt"))
	if err != nil || got != 38356*1024 {
		t.Errorf("parseVmRSS = %d, %v; want %d", got, err, 38356*1024)
	}
}

func TestParseK6Status(t *testing.T) {
	vus, running, err := parseK6Status(readTestdata(t, "k6-status.json"))
	if err != nil || vus != 200 || !running {
		t.Errorf("parseK6Status = %d, %v, %v; want 200, true", vus, running, err)
	}
	if _, _, err := parseK6Status("<html>"); err == nil {
		t.Error("parseK6Status(<html>): no error")
	}
}
