package dashboards

import "embed"

// Files holds the dashboards (*.json) and rules.yaml, so the binary can
// hand them to a Prometheus it starts (stampede run --prometheus).
//
//go:embed rules.yaml stampede-*.json
var Files embed.FS
