package main

import (
	"context"
	"fmt"
)

// crud makes the CRUD table: create (JSON body, Id extracted), read,
// update (JSON body), delete, with checks, no think time; stampede and k6.
func (h *harness) crud(ctx context.Context) error {
	target, stampede, k6Script, k6Summary, err := h.closedSetup(ctx, "crud", crudScenario, k6Crud)
	if err != nil {
		return err
	}
	defer func() { _ = target.stop() }()
	conc, d, core := h.cfg.concurrency, h.cfg.duration, h.clientCore
	entries := []*entry{
		stampede,
		h.toolEntry("k6", fmt.Sprintf("k6, %d VUs", conc), func(t tool) client {
			return k6Client{path: t.path, name: "k6", script: k6Script, summaryPath: k6Summary, duration: d, core: core}
		}),
	}
	h.runRounds(ctx, "crud", target.url, entries)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	st, stOK := stampede.best()
	tab := newTable("client", "iterations/s", "requests/s", "p50", "p99", "client CPU", "stampede ÷ client (iterations/s)")
	for _, e := range entries {
		r, ok := tab.measured(e)
		if !ok {
			continue
		}
		ratio := "–"
		if e != stampede && stOK {
			ratio = fmtRatio(st.iterPerSec, r.iterPerSec)
		}
		tab.add(e.label, fmtRate(r.iterPerSec), fmtRate(r.rps), latencyCell(r, p50), latencyCell(r, p99), fmtCPU(r.cpuShare()), ratio)
	}
	fmt.Fprintf(h.out, "\n### CRUD flow (create with JSON body and Id extraction, read, update, delete; checks; no think time): %d concurrent, %v each\n\n", conc, d)
	if err := tab.write(h.out); err != nil {
		return err
	}
	notes := []string{
		"",
		fmt.Sprintf("- one iteration is 4 requests; p50/p99 over all requests; stampede's /metrics was scraped %d times during its run", st.scrapes),
		"- both from generated files: a stampede scenario (examples/todo-crud.yaml without think time) and a k6 script doing the same steps and checks",
		"- " + h.roundsNote(),
	}
	notes = append(notes, problems(entries)...)
	for _, n := range notes {
		fmt.Fprintln(h.out, n)
	}
	return nil
}
