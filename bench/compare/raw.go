package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// The targets for the raw table, reported, never asserted.
const (
	targetOverHey = 1.2
	targetOverK6  = 2
	targetOverWrk = 0.9
)

// raw makes the raw GET table: every client against GET /hello with no
// think time, for the same duration and concurrency.
func (h *harness) raw(ctx context.Context) error {
	target, stampede, k6Script, k6Summary, err := h.closedSetup(ctx, "raw", helloScenario, k6Raw)
	if err != nil {
		return err
	}
	defer func() { _ = target.stop() }()
	conc, d, core := h.cfg.concurrency, h.cfg.duration, h.clientCore
	url := target.url + "/hello"
	entries := []*entry{
		stampede,
		h.toolEntry("wrk", fmt.Sprintf("wrk -t1 -c%d", conc), func(t tool) client {
			return wrkClient{path: t.path, url: url, conns: conc, duration: d, core: core}
		}),
		h.toolEntry("hey", fmt.Sprintf("hey -c %d", conc), func(t tool) client {
			return heyClient{path: t.path, url: url, conns: conc, duration: d, core: core}
		}),
		h.toolEntry("vegeta", fmt.Sprintf("vegeta -rate=0 -max-workers=%d", conc), func(t tool) client {
			return vegetaClient{path: t.path, url: url, workers: conc, duration: d, core: core, dir: h.dir}
		}),
		h.toolEntry("k6", fmt.Sprintf("k6, %d VUs, no sleep", conc), func(t tool) client {
			return k6Client{path: t.path, name: "k6", script: k6Script, summaryPath: k6Summary, duration: d, core: core}
		}),
	}
	h.runRounds(ctx, "raw", target.url, entries)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	st, stOK := stampede.best()
	tab := newTable("client", "requests/s", "p50", "p99", "client CPU", "stampede ÷ client")
	ratios := make(map[string]float64)
	for _, e := range entries {
		r, ok := tab.measured(e)
		if !ok {
			continue
		}
		ratio := "–"
		if e != stampede && stOK {
			ratio = fmtRatio(st.rps, r.rps)
			ratios[e.key] = st.rps / r.rps
		}
		tab.add(e.label, fmtRate(r.rps), latencyCell(r, p50), latencyCell(r, p99), fmtCPU(r.cpuShare()), ratio)
	}
	fmt.Fprintf(h.out, "\n### Raw GET /hello: %d concurrent, %v each, %s\n\n", conc, d, h.pinning())
	if err := tab.write(h.out); err != nil {
		return err
	}
	notes := []string{
		"",
		fmt.Sprintf("- stampede ran with full metrics on; its /metrics was scraped %d times (every 1s) during its run", st.scrapes),
		"- p50/p99 as each tool reports them (hey rounds to 0.1 ms); client CPU: user+sys CPU time of the client process over its wall time, in % of one core",
		fmt.Sprintf("- %s; a %v GET burst against the target before each client, %v pause between clients", h.roundsNote(), h.cfg.warmup, h.cfg.pause),
	}
	if stOK {
		notes = append(notes,
			verdict("stampede ÷ hey", ratios["hey"], targetOverHey, true),
			verdict("stampede ÷ k6", ratios["k6"], targetOverK6, true),
			verdict("stampede ÷ wrk (aim)", ratios["wrk"], targetOverWrk, true))
	}
	notes = append(notes, problems(entries)...)
	for _, n := range notes {
		fmt.Fprintln(h.out, n)
	}
	return nil
}

// closedSetup is what the raw and CRUD tables share: a target, stampede's
// scenario (scenarioYAML) and the k6 script doing the same (k6Template),
// both written under name, and stampede's entry with as many users as the
// concurrency. The caller stops the target.
func (h *harness) closedSetup(ctx context.Context, name, scenarioYAML, k6Template string) (target *demoTarget, stampede *entry, k6Script, k6Summary string, err error) {
	target, err = startTarget(ctx, h.cfg.bin, h.targetCore, "")
	if err != nil {
		return nil, nil, "", "", err
	}
	conc, d := h.cfg.concurrency, h.cfg.duration
	scenario, err := writeFile(h.dir, name+".yaml", scenarioYAML)
	if err == nil {
		k6Summary = filepath.Join(h.dir, "k6-"+name+"-summary.json")
		k6Script, err = writeScript(h.dir, name+".js", k6Template, scriptParams{Target: target.url, Users: conc, Duration: d, SummaryPath: k6Summary})
	}
	if err != nil {
		_ = target.stop()
		return nil, nil, "", "", err
	}
	stampede = &entry{key: "stampede", label: fmt.Sprintf("**stampede worker, %d users**", conc), c: stampedeClient{
		bin: h.cfg.bin, name: "stampede", scenario: scenario, target: target.url, duration: d, core: h.clientCore, dir: h.dir,
		args: []string{"--users", strconv.Itoa(conc), "--spawn-rate", "0"},
	}}
	return target, stampede, k6Script, k6Summary, nil
}
