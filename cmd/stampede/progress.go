package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/stampedehq/stampede/metrics"
)

// progressSource is what the live view reads.
type progressSource interface {
	Snapshot() *metrics.Snapshot
	CPU() float64
}

// activeUsers reports the users running now.
type activeUsers interface{ ActiveUsers() int }

// progress prints one line per interval while a run goes: plain lines when
// the output is piped, one redrawn line on a terminal.
type progress struct {
	w        io.Writer
	interval time.Duration
	src      progressSource
	users    activeUsers
	redraw   bool
}

func newProgress(w io.Writer, interval time.Duration, src progressSource, users activeUsers) *progress {
	return &progress{w: w, interval: interval, src: src, users: users, redraw: isTerminal(w)}
}

func (p *progress) run(ctx context.Context) {
	if p.interval <= 0 {
		return
	}
	t := time.NewTicker(p.interval)
	defer t.Stop()
	var last metrics.EndpointStats
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
			total := p.src.Snapshot().Total()
			rps := float64(total.Requests-last.Requests) / now.Sub(lastAt).Seconds()
			errPct := 0.0
			if n := total.Requests - last.Requests; n > 0 {
				errPct = 100 * float64(total.Failures-last.Failures) / float64(n)
			}
			p95 := time.Duration(0)
			if total.Latency != nil {
				p95 = total.Latency.Quantile(0.95)
			}
			line := fmt.Sprintf("%6s  users %-5d  requests %-8d  rps %-8.1f  p95 %-9s  errors %5.2f%%  cpu %3.0f%%",
				now.Sub(started).Round(time.Second), p.users.ActiveUsers(), total.Requests, rps,
				p95.Round(10*time.Microsecond), errPct, 100*p.src.CPU())
			if p.redraw {
				fmt.Fprintf(p.w, "\r\033[K%s", line)
			} else {
				fmt.Fprintln(p.w, line)
			}
			last, lastAt = total, now
		}
	}
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
