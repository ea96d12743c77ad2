package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The parsers below read each tool's own report. They keep the numbers as
// the tool states them (its percentiles, its requests/s) and fail, naming
// what is missing, when the report lacks requests/s.

var (
	wrkRequests   = regexp.MustCompile(`^\s*(\d+) requests in `)
	wrkRate       = regexp.MustCompile(`^Requests/sec:\s+([0-9.]+)`)
	wrkLatency    = regexp.MustCompile(`^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)`)
	wrkPercentile = regexp.MustCompile(`^\s*(50|75|90|99)(?:\.0+)?%\s+(\S+)`)
	wrkSocket     = regexp.MustCompile(`^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xx     = regexp.MustCompile(`^\s*Non-2xx or 3xx responses: (\d+)`)

	heyRate       = regexp.MustCompile(`^\s*Requests/sec:\s+([0-9.]+)`)
	heySlowest    = regexp.MustCompile(`^\s*Slowest:\s+([0-9.]+) secs`)
	heyPercentile = regexp.MustCompile(`^\s*(\d+)% in ([0-9.]+) secs`)
	heyCount      = regexp.MustCompile(`^\s*\[(\d+)\]\s+(\d+) responses`)
	heyError      = regexp.MustCompile(`^\s*\[(\d+)\]\s+\S`)
)

// wrkDuration parses wrk's latencies ("172.00us", "1.01ms", "2.00s",
// "1.00m"), which Go's duration syntax happens to cover.
func wrkDuration(text string) (time.Duration, error) {
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("wrk latency %q: not a duration", text)
	}
	return d, nil
}

// parseWrk reads the output of `wrk --latency`.
func parseWrk(out string) (result, error) {
	var r result
	haveRate := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case wrkRate.MatchString(line):
			v, err := strconv.ParseFloat(wrkRate.FindStringSubmatch(line)[1], 64)
			if err != nil {
				return result{}, fmt.Errorf("wrk: Requests/sec line %q: %w", line, err)
			}
			r.rps, haveRate = v, true
		case wrkRequests.MatchString(line):
			r.requests, _ = strconv.ParseInt(wrkRequests.FindStringSubmatch(line)[1], 10, 64)
		case wrkLatency.MatchString(line):
			if d, err := wrkDuration(wrkLatency.FindStringSubmatch(line)[3]); err == nil {
				r.setLatency(pMax, d)
			}
		case wrkPercentile.MatchString(line):
			m := wrkPercentile.FindStringSubmatch(line)
			d, err := wrkDuration(m[2])
			if err != nil {
				return result{}, fmt.Errorf("wrk: latency distribution line %q: %w", line, err)
			}
			switch m[1] {
			case "50":
				r.setLatency(p50, d)
			case "90":
				r.setLatency(p90, d)
			case "99":
				r.setLatency(p99, d)
			}
		case wrkSocket.MatchString(line):
			for _, n := range wrkSocket.FindStringSubmatch(line)[1:] {
				v, _ := strconv.ParseInt(n, 10, 64)
				r.errors += v
			}
		case wrkNon2xx.MatchString(line):
			v, _ := strconv.ParseInt(wrkNon2xx.FindStringSubmatch(line)[1], 10, 64)
			r.errors += v
		}
	}
	if !haveRate {
		return result{}, errors.New("wrk: no \"Requests/sec:\" line in its output")
	}
	return r, nil
}

// parseHey reads hey's default text report. hey prints seconds with four
// decimals, so its latencies come in 0.1 ms steps.
func parseHey(out string) (result, error) {
	var r result
	haveRate, inErrors := false, false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Error distribution:"):
			inErrors = true
		case strings.HasPrefix(line, "Status code distribution:"):
			inErrors = false
		case heyRate.MatchString(line):
			v, err := strconv.ParseFloat(heyRate.FindStringSubmatch(line)[1], 64)
			if err != nil {
				return result{}, fmt.Errorf("hey: Requests/sec line %q: %w", line, err)
			}
			r.rps, haveRate = v, true
		case heySlowest.MatchString(line):
			if d, ok := heySeconds(heySlowest.FindStringSubmatch(line)[1]); ok {
				r.setLatency(pMax, d)
			}
		case heyPercentile.MatchString(line):
			m := heyPercentile.FindStringSubmatch(line)
			d, ok := heySeconds(m[2])
			if !ok {
				return result{}, fmt.Errorf("hey: latency distribution line %q: not seconds", line)
			}
			switch m[1] {
			case "50":
				r.setLatency(p50, d)
			case "90":
				r.setLatency(p90, d)
			case "95":
				r.setLatency(p95, d)
			case "99":
				r.setLatency(p99, d)
			}
		case heyCount.MatchString(line) && !inErrors:
			m := heyCount.FindStringSubmatch(line)
			n, _ := strconv.ParseInt(m[2], 10, 64)
			r.requests += n
			if status, _ := strconv.Atoi(m[1]); status < 200 || status > 299 {
				r.errors += n
			}
		case inErrors && heyError.MatchString(line):
			n, _ := strconv.ParseInt(heyError.FindStringSubmatch(line)[1], 10, 64)
			r.requests += n
			r.errors += n
		}
	}
	if !haveRate {
		return result{}, errors.New("hey: no \"Requests/sec:\" line in its output")
	}
	return r, nil
}

func heySeconds(text string) (time.Duration, bool) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || v < 0 || v > maxSeconds {
		return 0, false
	}
	return secondsToDuration(v), true
}

// maxSeconds bounds the latencies the parsers accept, so a corrupt report
// cannot overflow a time.Duration.
const maxSeconds = 1e6

func secondsToDuration(s float64) time.Duration {
	return time.Duration(math.Round(s * float64(time.Second)))
}

// vegetaReport is the part of `vegeta report -type=json` the harness reads;
// latencies are in nanoseconds.
type vegetaReport struct {
	Latencies struct {
		P50 int64 `json:"50th"`
		P90 int64 `json:"90th"`
		P95 int64 `json:"95th"`
		P99 int64 `json:"99th"`
		Max int64 `json:"max"`
	} `json:"latencies"`
	Duration int64   `json:"duration"` // attack, ns
	Wait     int64   `json:"wait"`     // for the last responses after the attack, ns
	Requests int64   `json:"requests"`
	Rate     float64 `json:"rate"`
	Success  float64 `json:"success"` // ratio
}

// parseVegetaJSON reads `vegeta report -type=json`. Its requests/s here is
// completed requests over attack plus wait, as wrk and hey count it.
func parseVegetaJSON(out []byte) (result, error) {
	var rep vegetaReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	if rep.Requests <= 0 || rep.Duration <= 0 {
		return result{}, fmt.Errorf("vegeta report: no requests (requests=%d, duration=%dns)", rep.Requests, rep.Duration)
	}
	r := result{requests: rep.Requests}
	r.rps = float64(rep.Requests) / time.Duration(rep.Duration+max(rep.Wait, 0)).Seconds()
	r.errors = rep.Requests - int64(math.Round(rep.Success*float64(rep.Requests)))
	for q, ns := range map[quantile]int64{p50: rep.Latencies.P50, p90: rep.Latencies.P90, p95: rep.Latencies.P95, p99: rep.Latencies.P99, pMax: rep.Latencies.Max} {
		if ns > 0 {
			r.setLatency(q, time.Duration(ns))
		}
	}
	return r, nil
}

// k6Stats maps k6's trend statistic names to quantiles; the scripts set
// summaryTrendStats so they are all there.
var k6Stats = map[string]quantile{"p(50)": p50, "p(90)": p90, "p(95)": p95, "p(99)": p99, "max": pMax}

// parseK6Summary reads k6's end-of-test summary: the data handleSummary gets
// (each metric's numbers under "values") or the older --summary-export file
// (the numbers directly under the metric). Trend times are in milliseconds.
func parseK6Summary(out []byte) (result, error) {
	var doc struct {
		Metrics map[string]json.RawMessage `json:"metrics"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return result{}, fmt.Errorf("k6 summary: %w", err)
	}
	metric := func(name string) (map[string]float64, bool) {
		raw, ok := doc.Metrics[name]
		if !ok {
			return nil, false
		}
		var wrapped struct {
			Values map[string]float64 `json:"values"`
		}
		if json.Unmarshal(raw, &wrapped) == nil && wrapped.Values != nil {
			return wrapped.Values, true
		}
		flat := make(map[string]float64)
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			return nil, false
		}
		for k, v := range fields {
			var f float64
			if json.Unmarshal(v, &f) == nil {
				flat[k] = f
			}
		}
		return flat, true
	}
	reqs, ok := metric("http_reqs")
	if !ok {
		return result{}, errors.New("k6 summary: no http_reqs metric (did the script make requests?)")
	}
	r := result{requests: int64(reqs["count"]), rps: reqs["rate"]}
	if durations, ok := metric("http_req_duration"); ok {
		for stat, q := range k6Stats {
			if ms, ok := durations[stat]; ok && ms >= 0 && ms/1e3 <= maxSeconds {
				r.setLatency(q, secondsToDuration(ms/1e3))
			}
		}
	}
	if iters, ok := metric("iterations"); ok {
		r.iterations, r.iterPerSec = int64(iters["count"]), iters["rate"]
	}
	// http_req_failed is a rate metric of failures: its "passes" are failed requests.
	if failed, ok := metric("http_req_failed"); ok {
		r.errors = int64(failed["passes"])
	}
	if checks, ok := metric("checks"); ok {
		r.checksFailed = int64(checks["fails"])
	}
	if dropped, ok := metric("dropped_iterations"); ok {
		r.dropped = int64(dropped["count"])
	}
	return r, nil
}

// stampedeSummary is the part of `stampede worker --out FILE.json` the
// harness reads.
type stampedeSummary struct {
	DurationMs        float64 `json:"duration_ms"`
	DroppedIterations int64   `json:"dropped_iterations"`
	Total             struct {
		Requests int64   `json:"requests"`
		Failures int64   `json:"failures"`
		RPS      float64 `json:"rps"`
		P50      float64 `json:"p50_ms"`
		P90      float64 `json:"p90_ms"`
		P95      float64 `json:"p95_ms"`
		P99      float64 `json:"p99_ms"`
		Max      float64 `json:"max_ms"`
	} `json:"total"`
	Tasks []struct {
		Iterations int64 `json:"iterations"`
	} `json:"tasks"`
	Checks []struct {
		Failed int64 `json:"failed"`
	} `json:"checks"`
}

// parseStampedeSummary reads a worker's JSON summary.
func parseStampedeSummary(out []byte) (result, error) {
	var s stampedeSummary
	if err := json.Unmarshal(out, &s); err != nil {
		return result{}, fmt.Errorf("stampede summary: %w", err)
	}
	if s.DurationMs <= 0 {
		return result{}, fmt.Errorf("stampede summary: duration_ms is %v, want > 0", s.DurationMs)
	}
	r := result{requests: s.Total.Requests, errors: s.Total.Failures, rps: s.Total.RPS, dropped: s.DroppedIterations}
	for q, ms := range map[quantile]float64{p50: s.Total.P50, p90: s.Total.P90, p95: s.Total.P95, p99: s.Total.P99, pMax: s.Total.Max} {
		if ms >= 0 && ms/1e3 <= maxSeconds && s.Total.Requests > 0 {
			r.setLatency(q, secondsToDuration(ms/1e3))
		}
	}
	for _, t := range s.Tasks {
		r.iterations += t.Iterations
	}
	r.iterPerSec = float64(r.iterations) / (s.DurationMs / 1e3)
	for _, c := range s.Checks {
		r.checksFailed += c.Failed
	}
	return r, nil
}

// parseGauge sums the samples of one metric in Prometheus text exposition
// (every label set), and reports whether there was any.
func parseGauge(exposition, name string) (float64, bool) {
	sum, found := 0.0, false
	sc := bufio.NewScanner(strings.NewReader(exposition))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue // another metric, or one whose name starts with name
		}
		if rest[0] == '{' {
			end := strings.LastIndexByte(rest, '}')
			if end < 0 {
				continue
			}
			rest = rest[end+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.IsNaN(v) {
			continue
		}
		sum += v
		found = true
	}
	return sum, found
}

// parseVmRSS reads the resident set size in bytes from /proc/PID/status.
func parseVmRSS(status string) (int64, error) {
	for line := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("VmRSS line %q: want \"VmRSS: N kB\"", strings.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 || kb > math.MaxInt64/1024 {
			return 0, fmt.Errorf("VmRSS line %q: not a size", strings.TrimSpace(line))
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmRSS line (has the process exited?)")
}
