package metrics

import (
	"strconv"
	"strings"

	"github.com/stampedehq/stampede/generator/scenario"
)

// ValueNoData is the Value of a threshold over an endpoint (or a run) with
// nothing recorded: such a threshold fails, since a criterion that measured
// nothing has not been met.
const ValueNoData = "no data"

// Evaluate checks one threshold against s:
//
//   - http_req_failed: Failures/Requests of the endpoint (all its methods),
//     or of all endpoints without one, must be <= MaxRate;
//   - http_req_duration: the latency at percentile P must be <= Max;
//   - checks: passed/(passed+failed) of the endpoint's checks, or of all
//     checks, must be >= MinRate.
//
// With no requests (or no checks) to judge by it fails with Value "no data".
// An unknown metric fails too.
func (s *Snapshot) Evaluate(t scenario.Threshold) ThresholdResult {
	res := ThresholdResult{Threshold: t.String(), Value: ValueNoData}
	switch t.Metric {
	case scenario.MetricHTTPReqFailed, scenario.MetricHTTPReqDuration:
		e := s.Total()
		if t.Endpoint != "" {
			e, _ = s.endpoint(t.Endpoint)
		}
		if e.Requests == 0 {
			return res
		}
		if t.Metric == scenario.MetricHTTPReqFailed {
			r := rate(e.Failures, e.Requests)
			res.Value, res.Passed = formatPercent(r), r <= t.MaxRate
			return res
		}
		d := e.Latency.Quantile(t.P / 100)
		res.Value, res.Passed = formatMS(d), d <= t.Max
	case scenario.MetricChecks:
		var passed, failed int64
		for _, c := range s.Checks {
			if t.Endpoint == "" || c.Endpoint == t.Endpoint {
				passed += c.Passed
				failed += c.Failed
			}
		}
		if passed+failed == 0 {
			return res
		}
		r := rate(passed, passed+failed)
		res.Value, res.Passed = formatPercent(r), r >= t.MinRate
	default:
		res.Value = "unknown metric " + strconv.Quote(t.Metric)
	}
	return res
}

// formatPercent shows a fraction as a percentage with up to two decimals:
// 0.0052 -> "0.52%", 1 -> "100%".
func formatPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".") + "%"
}
