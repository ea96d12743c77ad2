package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// targetRSSPerUser is the target: stampede's RSS per idle user at
// most a tenth of k6's per VU.
const targetRSSPerUser = 0.1

// k6MemoryVUs is the k6 row of the memory table (its VUs are heavy; the
// issue compares at 1k).
const k6MemoryVUs = 1000

// memoryMode is how stampede's users reach the target in a memory row.
type memoryMode struct {
	name string
	args []string // worker flags
	pool int      // connections at most; 0 for one per user
}

// memoryRow is one measurement of the memory table.
type memoryRow struct {
	client string
	mode   string
	users  int
	rss    int64
	skip   string
}

// memory makes the RSS-per-idle-user table.
func (h *harness) memory(ctx context.Context) error {
	target, err := startTarget(ctx, h.cfg.bin, h.targetCore, "")
	if err != nil {
		return err
	}
	defer func() { _ = target.stop() }()
	scenario, err := writeFile(h.dir, "idle.yaml", idleScenario)
	if err != nil {
		return err
	}
	counts := append([]int{memoryBaseUsers}, h.cfg.memoryUsers...)
	modes := []memoryMode{
		{name: "one per user"},
		{name: fmt.Sprintf("shared pool of %d", h.cfg.poolConnections), args: []string{"--max-connections", strconv.Itoa(h.cfg.poolConnections)}, pool: h.cfg.poolConnections},
	}
	var rows []memoryRow
	for _, mode := range modes {
		for _, n := range counts {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row := memoryRow{client: "stampede", mode: mode.name, users: n}
			if mode.pool > 0 && !h.poolFlag {
				row.skip = "--max-connections not supported by this binary"
				rows = append(rows, row)
				continue
			}
			conns := n
			if mode.pool > 0 {
				conns = min(n, mode.pool)
			}
			fmt.Fprintf(h.log, "memory: stampede, %s, %d users\n", mode.name, n)
			skip, err := withPortsAndFiles(ctx, conns, h.fileLimit, func(ctx context.Context) error {
				rss, err := h.stampedeRSS(ctx, scenario, target.url, n, mode.args)
				row.rss = rss
				return err
			})
			row.skip = skip
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				row.skip = "failed: " + err.Error()
			}
			rows = append(rows, row)
			if !h.pauseBetween(ctx) {
				return ctx.Err()
			}
		}
	}
	k6, skip := h.tool("k6")
	for _, n := range []int{memoryBaseUsers, k6MemoryVUs} {
		row := memoryRow{client: "k6", mode: "one per VU", users: n, skip: skip}
		if skip == "" {
			fmt.Fprintf(h.log, "memory: k6, %d VUs\n", n)
			rss, err := h.k6RSS(ctx, k6.path, target.url, n)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				row.skip = "failed: " + err.Error()
			}
			row.rss = rss
			if !h.pauseBetween(ctx) {
				return ctx.Err()
			}
		}
		rows = append(rows, row)
	}
	return h.writeMemoryTable(rows)
}

// perUser is the RSS a user adds: (RSS_N − RSS_base) / (N − base), from
// the base row of the same client and mode; false when either is missing.
func perUser(rows []memoryRow, row memoryRow) (float64, bool) {
	if row.skip != "" || row.users == memoryBaseUsers {
		return 0, false
	}
	for _, base := range rows {
		if base.client == row.client && base.mode == row.mode && base.users == memoryBaseUsers && base.skip == "" {
			return float64(row.rss-base.rss) / float64(row.users-base.users), true
		}
	}
	return 0, false
}

func (h *harness) writeMemoryTable(rows []memoryRow) error {
	var k6PerVU float64
	var k6RSS int64
	for _, r := range rows {
		if r.client == "k6" && r.users == k6MemoryVUs {
			k6PerVU, _ = perUser(rows, r)
			k6RSS = r.rss
		}
	}
	tab := newTable("client", "connections", "users", "RSS", fmt.Sprintf("RSS per user over %d users", memoryBaseUsers), "÷ k6 per VU")
	var verdicts []string
	for _, r := range rows {
		label := r.client
		if label == "stampede" {
			label = "**stampede**"
		}
		if r.skip != "" {
			tab.add(label, r.mode, fmtCount(int64(r.users)), "skipped: "+r.skip)
			continue
		}
		per, ok := perUser(rows, r)
		perCell, ratio := "(baseline)", "–"
		if ok {
			perCell = fmtKiB(per)
			if r.client == "stampede" && k6PerVU > 0 {
				ratio = fmtRatio(per, k6PerVU)
				if r.users == k6MemoryVUs {
					verdicts = append(verdicts, verdict(fmt.Sprintf("stampede (%s) per user ÷ k6 per VU at %s", r.mode, fmtCount(k6MemoryVUs)), per/k6PerVU, targetRSSPerUser, false))
				}
			}
		}
		tab.add(label, r.mode, fmtCount(int64(r.users)), fmtMiB(r.rss), perCell, ratio)
	}
	fmt.Fprintf(h.out, "\n### Memory: RSS per idle user (one GET, then 1 s think time; all users started at once)\n\n")
	if err := tab.write(h.out); err != nil {
		return err
	}
	notes := []string{
		"",
		fmt.Sprintf("- VmRSS once every user is running (stampede_users on /metrics; k6's REST status) and %v after; per user = (RSS_N − RSS_%d) / (N − %d), k6 the same way with VUs", h.cfg.memorySteady, memoryBaseUsers, memoryBaseUsers),
	}
	if k6RSS > 0 {
		notes = append(notes, fmt.Sprintf("- k6's RSS / %d VUs without subtracting the baseline: %s", k6MemoryVUs, fmtKiB(float64(k6RSS)/k6MemoryVUs)))
	}
	for _, n := range h.cfg.memoryUsers {
		if n >= 20000 {
			notes = append(notes, fmt.Sprintf("- %s users with 1 s think time ask for ~%s requests/s, near what the one-core target serves, so they are not all idle", fmtCount(int64(n)), fmtCount(int64(n))))
			break
		}
	}
	notes = append(notes, verdicts...)
	for _, n := range notes {
		fmt.Fprintln(h.out, n)
	}
	return nil
}

// stampedeRSS starts a worker with n idle users, waits until they are all
// running and a little more, and returns its resident set size.
func (h *harness) stampedeRSS(ctx context.Context, scenario, target string, n int, extra []string) (int64, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	argv := []string{h.cfg.bin, "worker", scenario, "--target", target, "--users", strconv.Itoa(n), "--spawn-rate", "0",
		"--duration", "10m", "--graceful-stop", "2s", "--metrics-addr", addr, "--progress-interval", "0", "--log-level", "warn"}
	p, err := startProc(ctx, procSpec{argv: append(argv, extra...), core: h.clientCore})
	if err != nil {
		return 0, err
	}
	defer func() { _ = p.stop(15 * time.Second) }()
	ready := func(ctx context.Context) error {
		_, err := waitForGauge(ctx, "http://"+addr+"/metrics", "stampede_users", float64(n))
		return err
	}
	return h.rssWhenReady(ctx, p, n, ready)
}

// k6RSS starts k6 with n VUs that GET and sleep 1 s, waits until they are
// all running (k6's REST API) and a little more, and returns its RSS.
func (h *harness) k6RSS(ctx context.Context, k6, target string, n int) (int64, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	script, err := writeScript(h.dir, "idle-"+strconv.Itoa(n)+".js", k6Idle, scriptParams{Target: target, Users: n, Duration: 10 * time.Minute})
	if err != nil {
		return 0, err
	}
	p, err := startProc(ctx, procSpec{
		argv: []string{k6, "run", "--quiet", "--no-color", "--no-usage-report", "--address", addr, script},
		core: h.clientCore,
		env:  []string{"K6_NO_USAGE_REPORT=true"},
	})
	if err != nil {
		return 0, err
	}
	defer func() { _ = p.stop(15 * time.Second) }()
	ready := func(ctx context.Context) error { return waitForK6VUs(ctx, "http://"+addr+"/v1/status", n) }
	return h.rssWhenReady(ctx, p, n, ready)
}

// rssWhenReady waits for ready (bounded by the user count), then for the
// steady time, and reads p's VmRSS; it fails when p exits meanwhile.
func (h *harness) rssWhenReady(ctx context.Context, p *proc, n int, ready func(context.Context) error) (int64, error) {
	timeout := 30*time.Second + time.Duration(n)*time.Millisecond
	readyCtx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("%v passed", timeout))
	defer cancel()
	go func() { // ends the wait when the process dies; bounded by readyCtx
		select {
		case <-p.done:
			cancel()
		case <-readyCtx.Done():
		}
	}()
	if err := ready(readyCtx); err != nil {
		if exitErr := p.exitError(); isDone(p) && exitErr != nil {
			return 0, exitErr
		}
		return 0, err
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-p.done:
		return 0, fmt.Errorf("exited before its RSS was read: %v", p.exitError())
	case <-time.After(h.cfg.memorySteady):
	}
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.pid()), "status"))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(string(status))
}

func isDone(p *proc) bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// k6Status is the part of k6's REST API /v1/status the harness reads.
type k6Status struct {
	Data struct {
		Attributes struct {
			VUs     int  `json:"vus"`
			Running bool `json:"running"`
		} `json:"attributes"`
	} `json:"data"`
}

// parseK6Status reads k6's /v1/status: running VUs, and whether it runs.
func parseK6Status(body string) (vus int, running bool, err error) {
	var s k6Status
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		return 0, false, fmt.Errorf("k6 status: %w", err)
	}
	return s.Data.Attributes.VUs, s.Data.Attributes.Running, nil
}

// waitForK6VUs polls k6's status until n VUs run.
func waitForK6VUs(ctx context.Context, url string, n int) error {
	client := &http.Client{}
	defer client.CloseIdleConnections()
	last := 0
	for {
		if body, err := fetch(ctx, client, url); err == nil {
			if vus, running, err := parseK6Status(body); err == nil {
				last = vus
				if running && vus >= n {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("k6 had %d of %d VUs running", last, n), context.Cause(ctx))
		case <-time.After(250 * time.Millisecond):
		}
	}
}
