package scenario

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The metrics a Threshold can hold.
const (
	MetricHTTPReqFailed   = "http_req_failed"   // failed fraction of requests <= MaxRate
	MetricHTTPReqDuration = "http_req_duration" // percentile P of latency <= Max
	MetricChecks          = "checks"            // passed fraction of checks >= MinRate
)

// Threshold is a pass/fail criterion of a run. Which fields apply depends on
// Metric; Parse rejects the others.
type Threshold struct {
	Metric   string        // "http_req_failed" | "http_req_duration" | "checks"
	Endpoint string        // optional: only this endpoint (step name)
	MaxRate  float64       // http_req_failed: the max failed fraction [0,1]
	MinRate  float64       // checks: the min passed fraction [0,1]
	P        float64       // http_req_duration: percentile (0,100]
	Max      time.Duration // http_req_duration: max allowed value of that percentile
	Line     int           // where it is in the scenario file; 0 when not from a file
}

// String is how a threshold reads in summaries:
// "http_req_duration{endpoint=create} p95 < 300ms", "http_req_failed rate < 1%",
// "checks rate > 99%".
func (t Threshold) String() string {
	var b strings.Builder
	b.WriteString(t.Metric)
	if t.Endpoint != "" {
		b.WriteString("{endpoint=" + t.Endpoint + "}")
	}
	switch t.Metric {
	case MetricHTTPReqDuration:
		b.WriteString(" p" + strconv.FormatFloat(t.P, 'f', -1, 64) + " < " + t.Max.String())
	case MetricHTTPReqFailed:
		b.WriteString(" rate < " + percent(t.MaxRate))
	case MetricChecks:
		b.WriteString(" rate > " + percent(t.MinRate))
	}
	return b.String()
}

// percent formats a fraction as a percentage with up to 4 decimals: 0.01 -> "1%".
func percent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return s + "%"
}

// thresholdFields says which fields each metric takes, the first ones required.
var thresholdFields = map[string]struct{ required, optional []string }{
	MetricHTTPReqFailed:   {required: []string{"max_rate"}, optional: []string{"endpoint"}},
	MetricHTTPReqDuration: {required: []string{"p", "max"}, optional: []string{"endpoint"}},
	MetricChecks:          {required: []string{"min_rate"}, optional: []string{"endpoint"}},
}

func (d *decoder) threshold(n *yaml.Node, field string) (Threshold, bool) {
	f, ok := d.fields(n, field, "metric", "endpoint", "max_rate", "min_rate", "p", "max")
	if !ok {
		return Threshold{}, false
	}
	t := Threshold{Line: n.Line}
	if isNull(f["metric"]) {
		d.add(n.Line, field+".metric", "missing (want http_req_failed, http_req_duration or checks)")
		return t, false
	}
	t.Metric, ok = d.str(f["metric"], field+".metric")
	if !ok {
		return t, false
	}
	spec, known := thresholdFields[t.Metric]
	if !known {
		d.add(lineOf(f["metric"]), field+".metric", "%q is not a metric (want http_req_failed, http_req_duration or checks)", t.Metric)
		return t, false
	}
	valid := true
	for _, name := range []string{"endpoint", "max_rate", "min_rate", "p", "max"} {
		v, set := f[name]
		if set && !slices.Contains(spec.required, name) && !slices.Contains(spec.optional, name) {
			d.add(lineOf(v), field+"."+name, "does not apply to %s (it takes %s)", t.Metric, strings.Join(spec.required, " and "))
			valid = false
		}
	}
	for _, name := range spec.required {
		if isNull(f[name]) {
			d.add(n.Line, field+"."+name, "missing (%s needs %s)", t.Metric, strings.Join(spec.required, " and "))
			valid = false
		}
	}
	if v := f["endpoint"]; !isNull(v) {
		t.Endpoint, _ = d.str(v, field+".endpoint")
	}
	if v := f["max_rate"]; !isNull(v) {
		t.MaxRate, ok = d.number(v, field+".max_rate")
		valid = valid && ok && d.fraction(v, field+".max_rate", t.MaxRate)
	}
	if v := f["min_rate"]; !isNull(v) {
		t.MinRate, ok = d.number(v, field+".min_rate")
		valid = valid && ok && d.fraction(v, field+".min_rate", t.MinRate)
	}
	if v := f["p"]; !isNull(v) {
		t.P, ok = d.number(v, field+".p")
		if ok && (t.P <= 0 || t.P > 100) {
			d.add(lineOf(v), field+".p", "%v is not a percentile in (0, 100]", t.P)
			ok = false
		}
		valid = valid && ok
	}
	if v := f["max"]; !isNull(v) {
		t.Max, ok = d.duration(v, field+".max")
		valid = valid && ok
	}
	return t, valid
}

func (d *decoder) fraction(n *yaml.Node, field string, v float64) bool {
	if v < 0 || v > 1 {
		d.add(lineOf(n), field, "%v is not a fraction in [0, 1] (0.01 is 1%%)", v)
		return false
	}
	return true
}
