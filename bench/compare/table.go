package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// table is a markdown table, its columns padded so it reads as text too
// and pastes into docs/performance.md as it is.
type table struct {
	header []string
	rows   [][]string
}

func newTable(header ...string) *table { return &table{header: header} }

// add appends a row; missing cells are left empty, extra ones dropped.
func (t *table) add(cells ...string) {
	row := make([]string, len(t.header))
	copy(row, cells)
	t.rows = append(t.rows, row)
}

// skipRow is a row for a client that did not run, with the reason.
func (t *table) skipRow(label, reason string) {
	cells := make([]string, len(t.header))
	cells[0] = label
	if len(cells) > 1 {
		cells[1] = "skipped: " + reason
	}
	t.add(cells...)
}

func (t *table) write(w io.Writer) error {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = max(3, utf8.RuneCountInString(h))
	}
	for _, row := range t.rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(escapeCell(c)))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			c = escapeCell(c)
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)) + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	b.WriteString("|")
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+2) + "|")
	}
	b.WriteString("\n")
	for _, row := range t.rows {
		line(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeCell keeps a cell on one line and its pipes from splitting it.
func escapeCell(c string) string {
	c = strings.ReplaceAll(c, "\n", " ")
	return strings.ReplaceAll(c, "|", `\|`)
}

// fmtCount writes n with thousands separators: 49681 → "49,681".
func fmtCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtRate writes a per-second rate: whole numbers with separators, one
// decimal below 100.
func fmtRate(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case math.Abs(v) < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return fmtCount(int64(math.Round(v)))
	}
}

// fmtLatency writes a latency with three significant digits or so:
// "172µs", "1.23ms", "12.3ms", "123ms", "1.02s".
func fmtLatency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Round(time.Microsecond).Microseconds(), 10) + "µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms"
	case d < 100*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 0, 64) + "ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
}

// latencyCell is r's q latency, or – when the tool does not report it.
func latencyCell(r result, q quantile) string {
	d, ok := r.latency[q]
	if !ok {
		return "–"
	}
	return fmtLatency(d)
}

// fmtCPU writes a share of one core as a percentage.
func fmtCPU(share float64) string {
	if share <= 0 || math.IsNaN(share) {
		return "–"
	}
	return strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
}

// fmtRatio writes a/b to two decimals, or – when b is zero.
func fmtRatio(a, b float64) string {
	if b == 0 || math.IsNaN(a/b) || math.IsInf(a/b, 0) {
		return "–"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64)
}

// fmtMiB and fmtKiB write byte counts.
func fmtMiB(bytes int64) string {
	return strconv.FormatFloat(float64(bytes)/(1<<20), 'f', 1, 64) + " MiB"
}

func fmtKiB(bytes float64) string {
	return strconv.FormatFloat(bytes/(1<<10), 'f', 1, 64) + " KiB"
}

// verdict says whether a target ratio was met, for the lines under a table.
func verdict(name string, got, want float64, atLeast bool) string {
	if got == 0 || math.IsNaN(got) {
		return fmt.Sprintf("- %s: not measured", name)
	}
	met := got >= want
	if !atLeast {
		met = got <= want
	}
	mark := "met"
	if !met {
		mark = "missed"
	}
	op := "≥"
	if !atLeast {
		op = "≤"
	}
	return fmt.Sprintf("- %s: %.2f, target %s %g: %s", name, got, op, want, mark)
}
