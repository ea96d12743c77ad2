//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package metrics

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time this process has used.
// getrusage(2) is one system call with no parsing or allocation, and works
// beyond Linux, where procfs does not.
func processCPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
