package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// entry is one row of a throughput table: a client to run, or the reason it
// cannot, and what its runs gave.
type entry struct {
	key   string // the tool: stampede, wrk, hey, vegeta, k6
	label string
	c     client // nil when skipped
	skip  string
	runs  []result
	err   error // the last failure, when no run succeeded
}

// best is the row's run: the one with the median rate.
func (e *entry) best() (result, bool) {
	if len(e.runs) == 0 {
		return result{}, false
	}
	return medianByRate(e.runs), true
}

// toolEntry is the row of a tool: newClient builds its client when the tool
// was found, else the row carries why it was not.
func (h *harness) toolEntry(key, label string, newClient func(tool) client) *entry {
	t, skip := h.tool(key)
	if skip != "" {
		return &entry{key: key, label: label, skip: skip}
	}
	return &entry{key: key, label: label, c: newClient(t)}
}

// runRounds runs every client of entries once per round, one after the
// other, each after a warm-up burst against the target and a pause. Each
// round starts one client further down the list, so that no client is
// always the first to meet a fresh target (in one run the first client
// came out 20% below its later rounds).
func (h *harness) runRounds(ctx context.Context, section, url string, entries []*entry) {
	for round := 1; round <= h.cfg.rounds; round++ {
		for i := range entries {
			e := entries[(i+round-1)%len(entries)]
			if e.c == nil {
				continue
			}
			if !h.pauseBetween(ctx) {
				return
			}
			warmUp(ctx, url, h.cfg.concurrency, h.cfg.warmup)
			fmt.Fprintf(h.log, "%s round %d/%d: %s\n", section, round, h.cfg.rounds, plain(e.label))
			start := time.Now()
			r, err := e.c.run(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				e.err = err
				fmt.Fprintf(h.log, "  failed after %v: %v\n", time.Since(start).Round(time.Millisecond), err)
				continue
			}
			e.runs = append(e.runs, r)
			fmt.Fprintf(h.log, "  %s requests/s, CPU %s\n", fmtRate(r.rps), fmtCPU(r.cpuShare()))
		}
	}
}

// measured returns e's result to show in tab; for a client that was
// skipped or failed it adds a row saying so instead, and reports false.
func (tab *table) measured(e *entry) (result, bool) {
	r, ok := e.best()
	switch {
	case e.c == nil:
		tab.skipRow(e.label, e.skip)
		return r, false
	case !ok:
		tab.skipRow(e.label, "failed (see below)")
		return r, false
	}
	return r, true
}

// problems lists, under a table, rows that failed and runs with errors.
func problems(entries []*entry) []string {
	var lines []string
	for _, e := range entries {
		r, ok := e.best()
		switch {
		case e.c != nil && !ok && e.err != nil:
			lines = append(lines, fmt.Sprintf("- %s failed: %v", e.label, e.err))
		case ok && r.errors > 0:
			lines = append(lines, fmt.Sprintf("- %s: %s of %s requests failed", e.label, fmtCount(r.errors), fmtCount(r.requests)))
		}
		if ok && r.checksFailed > 0 {
			lines = append(lines, fmt.Sprintf("- %s: %s checks failed", e.label, fmtCount(r.checksFailed)))
		}
	}
	return lines
}

// roundsNote says how rows were picked when there were several rounds.
func (h *harness) roundsNote() string {
	if h.cfg.rounds == 1 {
		return "one round"
	}
	return fmt.Sprintf("each row the median of %d rounds by rate", h.cfg.rounds)
}

// plain drops the markdown emphasis of a row label, for progress lines.
func plain(label string) string { return strings.ReplaceAll(label, "**", "") }
