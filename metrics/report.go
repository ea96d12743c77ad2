package metrics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// WriteTable writes the summary as aligned text: the endpoints and their
// total, the tasks, the checks, then the thresholds with PASS or FAIL.
func (s Summary) WriteTable(w io.Writer) error { return s.WriteTableColor(w, false) }

// WriteTableColor is WriteTable with PASS in green and FAIL in red when
// color is set (for a terminal; callers honour NO_COLOR). The verdicts are
// the last column, so the escapes do not disturb the alignment.
func (s Summary) WriteTableColor(w io.Writer, color bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("run %s\tduration %s\tdropped iterations %d\n\n", orDash(s.RunID), s.Duration.Round(time.Millisecond), s.Dropped)
	if err := tw.Flush(); err != nil {
		return err
	}

	p("ENDPOINT\tMETHOD\tREQUESTS\tFAILED\tFAIL%%\tRPS\tP50\tP90\tP95\tP99\tMAX\tSENT\tRECEIVED\n")
	row := func(e EndpointSummary) {
		p("%s\t%s\t%d\t%d\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			e.Name, orDash(e.Method), e.Requests, e.Failures, formatPercent(e.FailureRate), e.RPS,
			formatMS(e.P50), formatMS(e.P90), formatMS(e.P95), formatMS(e.P99), formatMS(e.Max),
			formatBytes(e.SentBytes), formatBytes(e.ReceivedBytes))
	}
	for _, e := range s.Endpoints {
		row(e)
	}
	row(s.Total)
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(s.Tasks) > 0 {
		p("\nTASK\tITERATIONS\tFAILED\tFAIL%%\tP50\tP95\tMAX\n")
		for _, t := range s.Tasks {
			p("%s\t%d\t%d\t%s\t%s\t%s\t%s\n", t.Name, t.Iterations, t.Failed, formatPercent(t.FailureRate),
				formatMS(t.P50), formatMS(t.P95), formatMS(t.Max))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(s.Checks) > 0 {
		p("\nCHECK\tENDPOINT\tPASSED\tFAILED\tPASS%%\n")
		for _, c := range s.Checks {
			p("%s\t%s\t%d\t%d\t%s\n", c.Name, c.Endpoint, c.Passed, c.Failed, formatPercent(rate(c.Passed, c.Passed+c.Failed)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(s.Thresholds) > 0 {
		p("\nTHRESHOLD\tVALUE\tRESULT\n")
		for _, t := range s.Thresholds {
			p("%s\t%s\t%s\n", t.Threshold, t.Value, paint(passFail(t.Passed), t.Passed, color))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// csvHeader names the columns of WriteCSV.
func csvHeader() []string {
	return []string{"endpoint", "method", "requests", "failures", "failure_rate", "rps",
		"mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "sent_bytes", "received_bytes"}
}

// WriteCSV writes a header row and one row per endpoint, then the total row
// (endpoint "total", no method). Durations are in milliseconds.
func (s Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return err
	}
	rows := append(append([]EndpointSummary{}, s.Endpoints...), s.Total)
	for _, e := range rows {
		record := []string{
			e.Name, e.Method,
			strconv.FormatInt(e.Requests, 10), strconv.FormatInt(e.Failures, 10),
			strconv.FormatFloat(e.FailureRate, 'f', -1, 64),
			strconv.FormatFloat(e.RPS, 'f', 3, 64),
			msNumber(e.Mean), msNumber(e.P50), msNumber(e.P90), msNumber(e.P95), msNumber(e.P99), msNumber(e.Max),
			strconv.FormatInt(e.SentBytes, 10), strconv.FormatInt(e.ReceivedBytes, 10),
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func msNumber(d time.Duration) string { return strconv.FormatFloat(float64(toMS(d)), 'f', -1, 64) }

// formatMS shows a latency in milliseconds with one decimal ("231.4ms"), or
// in seconds with two from 1s on ("1.41s").
func formatMS(d time.Duration) string {
	if d >= time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

// formatBytes shows a byte count with a decimal unit: "512B", "1.5kB", "2.3MB".
func formatBytes(n int64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return strconv.FormatInt(n, 10) + "B"
	}
	f := float64(n)
	i := -1
	// 999.95 rather than 1000, so that rounding to one decimal never shows "1000.0kB".
	for f >= 999.95 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + string(units[i]) + "B"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// paint wraps a verdict in green (ok) or red ANSI colour when color is set.
func paint(text string, ok, color bool) string {
	switch {
	case !color:
		return text
	case ok:
		return "\033[32m" + text + "\033[0m"
	}
	return "\033[31m" + text + "\033[0m"
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
