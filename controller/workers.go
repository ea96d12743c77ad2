package controller

import (
	"bytes"
	"net"
	"slices"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// heartbeat takes a worker's heartbeat (its stats still encoded) and
// returns its assignment.
func (c *Controller) heartbeat(hb api.Heartbeat, stats []byte) api.HeartbeatResponse {
	now := c.now()
	live := hb.State != api.WorkerStopping
	c.mu.Lock()
	c.advanceLocked(now)
	w := c.workers[hb.ID]
	joined := w == nil && live
	switch {
	case joined:
		w = &worker{id: hb.ID}
		c.addWorkerLocked(w, now)
	case w != nil && !live:
		c.removeWorkerLocked(hb.ID)
	}
	if live {
		w.metricsAddr, w.version, w.runID, w.state = hb.MetricsAddr, hb.Version, hb.RunID, hb.State
		w.users, w.rate, w.cpu, w.generation = hb.Users, hb.Rate, hb.CPU, hb.Generation
		w.last = now
	}
	// A worker ahead of this controller (one that restarted without its
	// state) must never see the generation go back.
	if hb.Generation > c.generation {
		c.generation = hb.Generation
		c.changedLocked(true)
	}
	if stats != nil && c.run != nil && hb.RunID == c.run.ID {
		if old, ok := c.stats[hb.ID]; !ok || !bytes.Equal(old, stats) {
			c.stats[hb.ID] = stats
			c.statsVersion++
		}
	}
	resp := api.HeartbeatResponse{
		LeaseTTL:          api.Duration(c.opts.LeaseTTL),
		HeartbeatInterval: api.Duration(c.opts.HeartbeatInterval),
		Assignment:        c.assignmentLocked(hb.ID, hb.ScenarioHash, live),
	}
	c.mu.Unlock()
	switch {
	case joined:
		c.log.Info("worker joined", "worker", hb.ID, "metrics_addr", hb.MetricsAddr, "version", hb.Version)
	case w != nil && !live:
		c.log.Info("worker stopping", "worker", hb.ID)
	}
	return resp
}

// addWorkerLocked adds a live worker. c.mu must be held.
func (c *Controller) addWorkerLocked(w *worker, now time.Time) {
	c.workers[w.id] = w
	i, _ := slices.BinarySearch(c.order, w.id)
	c.order = slices.Insert(c.order, i, w.id)
	if c.nextExpiry.IsZero() {
		c.nextExpiry = now.Add(c.opts.LeaseTTL)
	}
	c.changedLocked(true)
}

// removeWorkerLocked drops a live worker; its stats stay. c.mu must be held.
func (c *Controller) removeWorkerLocked(id string) {
	delete(c.workers, id)
	if i, found := slices.BinarySearch(c.order, id); found {
		c.order = slices.Delete(c.order, i, i+1)
	}
	if len(c.workers) == 0 {
		c.nextExpiry = time.Time{}
	}
	c.changedLocked(true)
}

// expireLocked drops the workers whose lease has ended. It looks at them
// only when one may be due: nextExpiry is a lower bound, since heartbeats
// only push leases further. c.mu must be held.
func (c *Controller) expireLocked(now time.Time) {
	if c.nextExpiry.IsZero() || now.Before(c.nextExpiry) {
		return
	}
	var next time.Time
	var lost []*worker
	for _, w := range c.workers {
		end := w.last.Add(c.opts.LeaseTTL)
		if !now.Before(end) {
			lost = append(lost, w)
		} else if next.IsZero() || end.Before(next) {
			next = end
		}
	}
	for _, w := range lost {
		c.removeWorkerLocked(w.id)
		c.log.Warn("worker lost: no heartbeat within its lease; its share goes to the others",
			"worker", w.id, "last_heartbeat", w.last, "lease_ttl", c.opts.LeaseTTL, "metrics_addr", w.metricsAddr)
	}
	if c.metrics != nil {
		c.metrics.lost.Add(float64(len(lost)))
	}
	c.nextExpiry = next
}

// leave drops a worker that is going away (after its final heartbeat).
// Leaving twice, or after the lease ended, is fine.
func (c *Controller) leave(id string) {
	c.mu.Lock()
	c.advanceLocked(c.now())
	_, live := c.workers[id]
	if live {
		c.removeWorkerLocked(id)
	}
	c.mu.Unlock()
	if live {
		c.log.Info("worker left", "worker", id)
	}
}

// assignmentLocked is the assignment of worker id, which is live or not
// (stopping). c.mu must be held.
func (c *Controller) assignmentLocked(id, scenarioHash string, live bool) api.Assignment {
	a := api.Assignment{Generation: c.generation, State: api.AssignIdle}
	r := c.run
	if r == nil {
		return a
	}
	a.RunID, a.Model, a.ScenarioHash, a.Target = r.ID, r.Model, r.scenario.Hash, r.scenario.BaseURL
	a.StartedAt, a.StopAt = r.StartedAt, r.StopAt
	if r.State != api.RunRunning || !live {
		a.State = api.AssignStopped
		return a
	}
	a.State = api.AssignRunning
	if scenarioHash != r.scenario.Hash {
		a.Scenario = r.Request.Scenario
	}
	i, _ := slices.BinarySearch(c.order, id)
	s := shareOf(r.load(), i, len(c.order))
	a.Users, a.SpawnRate, a.Rate, a.MaxInFlight, a.Stages = s.Users, s.SpawnRate, s.Rate, s.MaxInFlight, s.Stages
	return a
}

// Workers lists the live workers, sorted by id.
func (c *Controller) Workers() []api.WorkerInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(c.now())
	out := make([]api.WorkerInfo, 0, len(c.order))
	for _, id := range c.order {
		w := c.workers[id]
		out = append(out, api.WorkerInfo{
			ID: w.id, MetricsAddr: w.metricsAddr, Version: w.version, RunID: w.runID, State: w.state,
			Users: w.users, Rate: w.rate, CPU: w.cpu, LastHeartbeat: w.last, Generation: w.generation,
		})
	}
	return out
}

// serviceDiscovery lists the live workers' metrics addresses as Prometheus
// HTTP SD target groups.
func (c *Controller) serviceDiscovery() []api.TargetGroup {
	workers := c.Workers()
	out := make([]api.TargetGroup, 0, len(workers))
	for _, w := range workers {
		if w.MetricsAddr == "" {
			continue
		}
		out = append(out, api.TargetGroup{
			Targets: []string{w.MetricsAddr},
			Labels:  map[string]string{"worker": w.ID, "run_id": w.RunID},
		})
	}
	return out
}

// resolveMetricsAddr fills in the host of a metrics address that has none
// (":9464") or an unspecified one ("0.0.0.0:9464") with the address the
// heartbeat came from, so that Prometheus can reach it.
func resolveMetricsAddr(addr, remoteAddr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return addr
	}
	remote, _, err := net.SplitHostPort(remoteAddr)
	if err != nil || remote == "" {
		return addr
	}
	return net.JoinHostPort(remote, port)
}
