// Package controller is stampede's controller: it holds the desired state of
// a load test (the run, its scenario and its users or rate), hands each live
// worker its share through heartbeats with leases, merges the workers'
// cumulative stats into the run's summary and thresholds, rescales the
// workers through a Scaler, and serves its HTTP API (gorilla/mux), a status
// page, Prometheus service discovery of the workers and its own metrics.
//
// # Workers and leases
//
// A worker heartbeats every heartbeat interval; one not heard from for the
// lease TTL is dropped, logged and counted in
// stampede_controller_workers_lost_total. Workers in state idle or running
// are live; one that reports stopping, or leaves with DELETE
// /api/v1/workers/{id}, stops counting at once. What the controller reports
// is always the live workers, and their shares always add up to the target.
//
// # Shares
//
// Live workers are sorted by id. N users over W workers: N/W each, and the
// first N mod W one more. The rate is split evenly, the spawn rate in
// proportion to each worker's users, max in flight divided rounding up, and
// every stage's target like the users (closed model) or the rate (open
// model). The generation goes up on every change of the desired state or of
// the live workers; a worker joining mid-run gets its share at the next one.
//
// # Stats
//
// Workers send their cumulative stats for the run in every heartbeat. The
// controller keeps each worker's latest, still encoded, and merges them only
// when asked (Summary; Status, which reuses a recent merge), so heartbeats
// stay cheap. A worker that died or left keeps what it last reported; a
// worker reporting again replaces its own entry, so nothing is counted twice.
//
// # State
//
// The desired state (run, generation, live workers, the stats of every
// worker of the run) goes through a StateStore on every change: API changes
// are saved before they are answered, worker changes soon after (by Run). A
// controller started on the same state takes the run back before it answers,
// and workers carry on with their cumulative stats without a reset.
package controller
