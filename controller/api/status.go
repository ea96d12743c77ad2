package api

import (
	"time"

	"github.com/stampedehq/stampede/metrics"
)

// Status is the controller's view (GET /api/v1/status).
type Status struct {
	Run         *RunInfo                  `json:"run"` // null before the first run
	Workers     WorkersInfo               `json:"workers"`
	ActiveUsers int                       `json:"active_users"` // reported by the live workers
	TargetUsers int                       `json:"target_users"` // of the running run, now (stages included)
	Rate        float64                   `json:"rate"`         // iterations/s reported by the live workers
	Thresholds  []metrics.ThresholdResult `json:"thresholds"`   // over the merged stats so far
	Passed      bool                      `json:"passed"`       // every threshold passed (true without thresholds)
	Generation  int64                     `json:"generation"`
}

// WorkersInfo counts the workers: live ones heartbeat within their lease;
// desired and ready are the scaler's view.
type WorkersInfo struct {
	Live        int    `json:"live"`
	Desired     int    `json:"desired"`
	Ready       int    `json:"ready"`
	ScalerError string `json:"scaler_error,omitempty"`
}

// WorkerInfo is one live worker (GET /api/v1/workers).
type WorkerInfo struct {
	ID            string    `json:"id"`
	MetricsAddr   string    `json:"metrics_addr,omitempty"`
	Version       string    `json:"version,omitempty"`
	RunID         string    `json:"run_id,omitempty"`
	State         string    `json:"state"`
	Users         int       `json:"users"`
	Rate          float64   `json:"rate"`
	CPU           float64   `json:"cpu"`
	LastHeartbeat time.Time `json:"last_heartbeat"`
	Generation    int64     `json:"generation"`
}

// TargetGroup is one entry of Prometheus HTTP service discovery
// (GET /api/v1/sd): the metrics address of a live worker and its labels.
type TargetGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}
