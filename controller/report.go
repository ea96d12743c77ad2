package controller

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/metrics"
)

// The report's chart library, uPlot (MIT; see assets/README.md): small
// (50 KB), without dependencies, drawing time series on a canvas fast. It
// is inlined into every report so that the file opens offline.
var (
	//go:embed assets/uPlot.iife.min.js
	uPlotJS string
	//go:embed assets/uPlot.min.css
	uPlotCSS string
	//go:embed report.html
	reportSource string
)

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":      func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) },
	"percent": func(f float64) string { return fmt.Sprintf("%.2f%%", f*100) },
}).Parse(reportSource))

// reportData is what the report shows.
type reportData struct {
	Run       *api.RunInfo
	Summary   metrics.Summary
	Generated time.Time
	Version   string
	Series    reportSeries
	UPlotJS   template.JS
	UPlotCSS  template.CSS
}

// reportSeries is the time series in the columns uPlot takes: x in unix
// seconds, then one column per line.
type reportSeries struct {
	T        []float64 `json:"t"`
	RPS      []float64 `json:"rps"`
	Errors   []float64 `json:"errors"`
	P50      []float64 `json:"p50"`
	P95      []float64 `json:"p95"`
	P99      []float64 `json:"p99"`
	Users    []int     `json:"users"`
	Target   []int     `json:"target"`
	Workers  []int     `json:"workers"`
	Interval bool      `json:"interval"` // latency quantiles are of each interval, not of the run so far
}

func columns(points []SeriesPoint) reportSeries {
	s := reportSeries{Interval: true}
	for _, p := range points {
		s.T = append(s.T, float64(p.At.UnixMilli())/1000)
		s.RPS = append(s.RPS, p.RPS)
		s.Errors = append(s.Errors, p.ErrorsPerSecond)
		s.P50, s.P95, s.P99 = append(s.P50, p.P50MS), append(s.P95, p.P95MS), append(s.P99, p.P99MS)
		s.Users, s.Target, s.Workers = append(s.Users, p.Users), append(s.Target, p.TargetUsers), append(s.Workers, p.Workers)
		s.Interval = s.Interval && !p.Cumulative
	}
	return s
}

// WriteReport writes the report of the current (or last) run: one HTML
// file that opens offline, with charts over the run's time (requests and
// errors per second, latency p50/p95/p99, users, workers), the endpoints
// and the threshold results. The error is a 404 *api.Error before the
// first run.
func (c *Controller) WriteReport(w io.Writer) error {
	info := c.runInfo()
	if info == nil {
		return &api.Error{Status: http.StatusNotFound, Message: "no run has been started yet"}
	}
	data := reportData{
		Run: info, Summary: c.Summary(), Generated: c.now(), Version: c.opts.Version,
		Series:  columns(c.Series()),
		UPlotJS: template.JS(uPlotJS), UPlotCSS: template.CSS(uPlotCSS), //nolint:gosec // our own embedded copy
	}
	return reportPage.Execute(w, data)
}

func (c *Controller) handleReport(w http.ResponseWriter, _ *http.Request) {
	var b bytes.Buffer
	if err := c.WriteReport(&b); err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
	_, _ = w.Write(b.Bytes())
}
