// Package worker is the worker side of the controller protocol: it sends
// heartbeats with its cumulative stats, turns each assignment into load
// (starting, reshaping and stopping the generator), serves the metrics of
// the current run, stops its load when the controller has been silent for
// the orphan timeout, and leaves with a final heartbeat when asked to stop.
package worker
