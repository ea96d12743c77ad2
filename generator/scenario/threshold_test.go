package scenario

import (
	"testing"
	"time"
)

func TestThresholdString(t *testing.T) {
	cases := []struct {
		th   Threshold
		want string
	}{
		{Threshold{Metric: MetricHTTPReqDuration, Endpoint: "create", P: 95, Max: 300 * time.Millisecond}, "http_req_duration{endpoint=create} p95 < 300ms"},
		{Threshold{Metric: MetricHTTPReqDuration, P: 99.9, Max: 1500 * time.Millisecond}, "http_req_duration p99.9 < 1.5s"},
		{Threshold{Metric: MetricHTTPReqFailed, MaxRate: 0.01}, "http_req_failed rate < 1%"},
		{Threshold{Metric: MetricHTTPReqFailed, MaxRate: 0.07}, "http_req_failed rate < 7%"},
		{Threshold{Metric: MetricHTTPReqFailed, MaxRate: 0.0005}, "http_req_failed rate < 0.05%"},
		{Threshold{Metric: MetricHTTPReqFailed, MaxRate: 0}, "http_req_failed rate < 0%"},
		{Threshold{Metric: MetricChecks, MinRate: 0.99}, "checks rate > 99%"},
		{Threshold{Metric: MetricChecks, Endpoint: "/todo/[id]", MinRate: 1}, "checks{endpoint=/todo/[id]} rate > 100%"},
	}
	for _, tc := range cases {
		if got := tc.th.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestThresholdParse(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`tasks: [{steps: [{name: create, request: {path: /}}]}]
thresholds:
  - {metric: http_req_failed, max_rate: 0, endpoint: create}
  - {metric: http_req_duration, p: 100, max: 2s}
  - {metric: checks, min_rate: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Threshold{
		{Metric: MetricHTTPReqFailed, Endpoint: "create", Line: 3},
		{Metric: MetricHTTPReqDuration, P: 100, Max: 2 * time.Second, Line: 4},
		{Metric: MetricChecks, MinRate: 1, Line: 5},
	}
	for i := range want {
		if s.Thresholds[i] != want[i] {
			t.Errorf("threshold %d = %+v, want %+v", i, s.Thresholds[i], want[i])
		}
	}
}
