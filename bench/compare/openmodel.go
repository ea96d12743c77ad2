package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"
)

// openQuantiles are the columns of the open-model table.
func openQuantiles() []quantile { return []quantile{p50, p90, p95, p99, pMax} }

// inFlightFor is how many requests can be outstanding at rate/s when the
// target holds them for up to window: everything arriving in a stall plus
// half a second of slack. It sizes stampede's --max-in-flight and k6's VUs
// so neither drops arrivals for want of room.
func inFlightFor(rate int, window time.Duration) int {
	return int(math.Ceil(float64(rate) * (window.Seconds() + 0.5)))
}

// openModel makes the open-model table: a constant arrival rate against a
// target that stalls, next to the percentiles an intended-time measurement
// should show.
func (h *harness) openModel(ctx context.Context) error {
	s, rate, d, core := h.cfg.stall, h.cfg.openRate, h.cfg.openDuration, h.clientCore
	target, err := startTarget(ctx, h.cfg.bin, h.targetCore, s.String())
	if err != nil {
		return err
	}
	defer func() { _ = target.stop() }()
	// Right after the start the target is far from its first stall window.
	base, err := baseLatency(ctx, target.url, 200)
	if err != nil {
		return fmt.Errorf("base latency of the demo target: %w", err)
	}
	inFlight := inFlightFor(rate, s.window)
	scenario, err := writeFile(h.dir, "hello.yaml", helloScenario)
	if err != nil {
		return err
	}
	k6Summary := filepath.Join(h.dir, "k6-open-summary.json")
	k6Script, err := writeScript(h.dir, "open.js", k6Open, scriptParams{Target: target.url, Rate: rate, InFlight: inFlight, Duration: d, SummaryPath: k6Summary})
	if err != nil {
		return err
	}
	heyConns := h.cfg.concurrency
	heyRate := float64(rate) / float64(heyConns)
	entries := []*entry{
		{key: "stampede", label: fmt.Sprintf("**stampede --rate %d** (open)", rate), c: stampedeClient{
			bin: h.cfg.bin, name: "stampede", scenario: scenario, target: target.url, duration: d, core: core, dir: h.dir,
			args: []string{"--rate", strconv.Itoa(rate), "--max-in-flight", strconv.Itoa(inFlight)},
		}},
		h.toolEntry("k6", fmt.Sprintf("k6 constant-arrival-rate %d/s, %d VUs (open)", rate, inFlight), func(t tool) client {
			return k6Client{path: t.path, name: "k6", script: k6Script, summaryPath: k6Summary, duration: d, core: core}
		}),
		h.toolEntry("hey", fmt.Sprintf("hey -c %d -q %s (closed, rate-limited)", heyConns, strconv.FormatFloat(heyRate, 'f', -1, 64)), func(t tool) client {
			return heyClient{path: t.path, url: target.url + "/hello", conns: heyConns, qps: heyRate, duration: d, core: core}
		}),
	}
	for _, e := range entries {
		if e.c == nil {
			continue
		}
		if !h.pauseBetween(ctx) {
			return ctx.Err()
		}
		fmt.Fprintf(h.log, "open: %s for %v\n", plain(e.label), d)
		r, err := e.c.run(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.err = err
			fmt.Fprintf(h.log, "  failed: %v\n", err)
			continue
		}
		e.runs = append(e.runs, r)
	}

	tab := newTable("client", "requests/s", "p50", "p90", "p95", "p99", "max", "dropped", "client CPU")
	expected := []string{"expected (intended time)", fmtRate(float64(rate))}
	for _, q := range openQuantiles() {
		expected = append(expected, fmtLatency(expectedLatency(float64(q), base, s)))
	}
	tab.add(append(expected, "0", "")...)
	for _, e := range entries {
		r, ok := tab.measured(e)
		if !ok {
			continue
		}
		cells := []string{e.label, fmtRate(r.rps)}
		for _, q := range openQuantiles() {
			cells = append(cells, latencyCell(r, q))
		}
		dropped := "–"
		if e.key != "hey" { // hey has no arrivals to drop: its workers just wait
			dropped = fmtCount(r.dropped)
		}
		tab.add(append(cells, dropped, fmtCPU(r.cpuShare()))...)
	}
	fmt.Fprintf(h.out, "\n### Open model: %d requests/s for %v against a target that stalls %v every %v\n\n", rate, d, s.window, s.period)
	if err := tab.write(h.out); err != nil {
		return err
	}
	notes := []string{
		"",
		fmt.Sprintf("- expected: arrivals uniform in time, a fraction %.2g of them land in a stall and wait out the rest of it (uniform up to %v), on top of the base latency %s (median of 200 sequential GETs before the first stall)",
			float64(s.window)/float64(s.period), s.window, fmtLatency(base)),
		"- an intended-time measurement (wrk2-style, no coordinated omission) should come close to the expected row; hey's workers wait out a stall instead of sending, so the requests it would have sent are never measured",
	}
	if d%s.period != 0 {
		notes = append(notes, fmt.Sprintf("- %v is not a whole number of %v periods, so the share of arrivals in a stall is only close to the expected one", d, s.period))
	}
	notes = append(notes, problems(entries)...)
	for _, n := range notes {
		fmt.Fprintln(h.out, n)
	}
	return nil
}
