package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// sample is what the live view shows at one moment; counts are cumulative.
type sample struct {
	users, targetUsers int
	workers, desired   int // 0 when not distributed
	requests, failures int64
	p95                time.Duration
	cpu                float64 // the busiest worker's, 0..1
}

// progress prints one line per interval while a run goes: plain lines when
// the output is piped, one redrawn line on a terminal.
type progress struct {
	w        io.Writer
	interval time.Duration
	sample   func() sample
	redraw   bool
}

func newProgress(w io.Writer, interval time.Duration, sample func() sample) *progress {
	return &progress{w: w, interval: interval, sample: sample, redraw: isTerminal(w)}
}

func (p *progress) run(ctx context.Context) {
	if p.interval <= 0 {
		return
	}
	t := time.NewTicker(p.interval)
	defer t.Stop()
	var last sample
	lastAt := time.Now()
	started := lastAt
	for {
		select {
		case <-ctx.Done():
			if p.redraw {
				fmt.Fprintln(p.w)
			}
			return
		case now := <-t.C:
			s := p.sample()
			line := formatProgress(now.Sub(started), s, last, now.Sub(lastAt))
			if p.redraw {
				fmt.Fprintf(p.w, "\r\033[K%s", line)
			} else {
				fmt.Fprintln(p.w, line)
			}
			last, lastAt = s, now
		}
	}
}

// formatProgress renders one line: requests/s and errors over the last
// interval, p95 over the run so far.
func formatProgress(elapsed time.Duration, s, last sample, interval time.Duration) string {
	n := s.requests - last.requests
	rps := float64(n) / interval.Seconds()
	errPct := 0.0
	if n > 0 {
		errPct = 100 * float64(s.failures-last.failures) / float64(n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%6s  users %d/%d", elapsed.Round(time.Second), s.users, s.targetUsers)
	if s.desired > 0 || s.workers > 0 {
		fmt.Fprintf(&b, "  workers %d/%d", s.workers, s.desired)
	}
	fmt.Fprintf(&b, "  requests %d  rps %.1f  p95 %s  errors %.2f%%  cpu %.0f%%",
		s.requests, rps, s.p95.Round(10*time.Microsecond), errPct, 100*s.cpu)
	return b.String()
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
