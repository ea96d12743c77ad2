package controller

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/metrics"
)

// mergedStats is the last merge of the workers' stats. Guarded by mergeMu.
type mergedStats struct {
	runID   string
	version uint64 // statsVersion merged
	at      time.Time
	took    time.Duration
	summary metrics.Summary
	latency *metrics.Histogram // of all endpoints together, for the run's time series
	bad     map[string]bool    // workers whose stats did not decode, logged once per run
}

// Summary merges the latest cumulative stats of every worker of the current
// (or last) run, live, left or lost, and evaluates the run's thresholds.
// It is empty before the first run.
func (c *Controller) Summary() metrics.Summary {
	return c.mergedSummary(-1)
}

// mergedSummary returns the merged stats, merging again when they changed
// and the last merge is older than maxAge (negative: whenever they changed).
func (c *Controller) mergedSummary(maxAge time.Duration) metrics.Summary {
	c.mergeMu.Lock()
	defer c.mergeMu.Unlock()
	c.mu.Lock()
	runID, version := runIDOf(c.run), c.statsVersion
	m := &c.merged
	fresh := m.runID == runID && !m.at.IsZero() &&
		(m.version == version || (maxAge >= 0 && time.Since(m.at) < max(maxAge, 10*m.took)))
	if fresh {
		c.mu.Unlock()
		return m.summary
	}
	var thresholds []scenario.Threshold
	if c.run != nil {
		thresholds = c.run.thresholds
	}
	ids := make([]string, 0, len(c.stats))
	for id := range c.stats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	raws := make([][]byte, len(ids))
	for i, id := range ids {
		raws[i] = c.stats[id] // never changed in place, only replaced: safe to read unlocked
	}
	c.mu.Unlock()

	if m.runID != runID {
		m.bad = nil
	}
	start := time.Now()
	merged := &metrics.Snapshot{RunID: runID}
	for i, raw := range raws {
		var s metrics.Snapshot
		err := json.Unmarshal(raw, &s)
		if err == nil && s.RunID != "" && s.RunID != runID {
			err = fmt.Errorf("stats of run %q sent for run %q", s.RunID, runID)
		}
		if err != nil {
			if !m.bad[ids[i]] {
				c.log.Warn("ignoring a worker's stats", "worker", ids[i], "run", runID, "err", err)
				if m.bad == nil {
					m.bad = map[string]bool{}
				}
				m.bad[ids[i]] = true
			}
			continue
		}
		merged.Merge(&s)
	}
	merged.RunID = runID
	*m = mergedStats{
		runID: runID, version: version, at: time.Now(), took: time.Since(start),
		summary: merged.Summarize(thresholds), latency: merged.Total().Latency, bad: m.bad,
	}
	return m.summary
}

// mergedLatency merges when the stats are older than maxAge (as
// mergedSummary) and returns the summary with the latency histogram of all
// endpoints merged. The histogram must not be changed.
func (c *Controller) mergedLatency(maxAge time.Duration) (metrics.Summary, *metrics.Histogram) {
	sum := c.mergedSummary(maxAge)
	c.mergeMu.Lock()
	defer c.mergeMu.Unlock()
	if c.merged.runID != sum.RunID {
		return sum, nil // a new run started in between
	}
	return sum, c.merged.latency
}

// Status describes the run, the workers and the thresholds so far (over
// stats merged at most Options.StatsMaxAge ago).
func (c *Controller) Status() api.Status {
	now := c.now()
	c.mu.Lock()
	c.advanceLocked(now)
	scaler := c.scalerViewLocked()
	st := api.Status{
		Workers: api.WorkersInfo{
			Live: len(c.workers), Desired: scaler.desired, Ready: scaler.ready, ScalerError: scaler.err,
		},
		Generation: c.generation,
		Thresholds: []metrics.ThresholdResult{},
		Passed:     true,
	}
	for _, w := range c.workers {
		st.ActiveUsers += w.users
		st.Rate += w.rate
	}
	hasRun := c.run != nil
	if hasRun {
		st.Run = c.run.info()
		st.TargetUsers = c.run.targetUsers(now)
	}
	c.mu.Unlock()
	if hasRun {
		sum := c.mergedSummary(c.opts.StatsMaxAge)
		if sum.Thresholds != nil {
			st.Thresholds = sum.Thresholds
		}
		st.Passed = sum.Passed
	}
	return st
}
