//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package metrics

import (
	"errors"
	"time"
)

// processCPUTime is not available here: stampede_worker_cpu_utilization
// stays 0.
func processCPUTime() (time.Duration, error) {
	return 0, errors.ErrUnsupported
}
