package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// portRangePath is where Linux keeps the ephemeral port range that outgoing
// connections take their local port from.
const portRangePath = "/proc/sys/net/ipv4/ip_local_port_range"

// raiseFileLimit raises this process's RLIMIT_NOFILE as far as it may go and
// returns the soft limit the children get. Go raises its own soft limit at
// start but hands children the original one unless the program calls
// syscall.Setrlimit itself (which makes os/exec pass the new one on); a
// worker with 10,000 users and the target it talks to each need a
// descriptor per connection.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit NOFILE: %w", err)
	}
	// Raising the hard limit needs CAP_SYS_RESOURCE; try fs.nr_open first.
	if nrOpen, err := readUint("/proc/sys/fs/nr_open"); err == nil && nrOpen > lim.Max {
		higher := syscall.Rlimit{Cur: nrOpen, Max: nrOpen}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &higher) == nil {
			return nrOpen, nil
		}
	}
	raised := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
		// Children still get the original soft limit.
		return lim.Cur, fmt.Errorf("setrlimit NOFILE to %d: %w", lim.Max, err)
	}
	return raised.Cur, nil
}

func readUint(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// portRange is an ephemeral port range, both ends included.
type portRange struct{ low, high int }

func (r portRange) size() int { return r.high - r.low + 1 }

func (r portRange) String() string { return fmt.Sprintf("%d %d", r.low, r.high) }

// parsePortRange reads the two numbers of ip_local_port_range.
func parsePortRange(text string) (portRange, error) {
	fields := strings.Fields(text)
	if len(fields) != 2 {
		return portRange{}, fmt.Errorf("port range %q: want two numbers", text)
	}
	low, errLow := strconv.Atoi(fields[0])
	high, errHigh := strconv.Atoi(fields[1])
	if errLow != nil || errHigh != nil || low < 1 || high > 65535 || low > high {
		return portRange{}, fmt.Errorf("port range %q: want LOW HIGH within 1-65535", text)
	}
	return portRange{low: low, high: high}, nil
}

func readPortRange() (portRange, error) {
	b, err := os.ReadFile(portRangePath)
	if err != nil {
		return portRange{}, err
	}
	return parsePortRange(string(b))
}

// widestPortRange is what ensurePorts widens to: every non-privileged port.
func widestPortRange() portRange { return portRange{low: 1024, high: 65535} }

// ensurePorts makes room for n connections from this host to one ip:port,
// each needing its own local port. When the range is too small it widens it
// (as root) and returns a restore function that puts the old range back;
// otherwise the reason it cannot.
func ensurePorts(n int) (restore func(), err error) {
	current, err := readPortRange()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", portRangePath, err)
	}
	if n <= current.size() {
		return func() {}, nil
	}
	if n > widestPortRange().size() {
		return nil, fmt.Errorf("%d connections to one address need more than the %d ports there are", n, widestPortRange().size())
	}
	if err := os.WriteFile(portRangePath, []byte(widestPortRange().String()), 0o644); err != nil {
		return nil, fmt.Errorf("%d connections need more than the %d ephemeral ports of %s (%s) and widening it failed: %w",
			n, current.size(), portRangePath, current, err)
	}
	return func() { _ = os.WriteFile(portRangePath, []byte(current.String()), 0o644) }, nil
}

// ensureFiles says why n connections cannot be held when the file limit
// children get is too low for them (plus some for the rest).
func ensureFiles(n int, limit uint64) error {
	const spare = 256 // listeners, pipes, the metrics server, log files
	if need := uint64(n) + spare; need > limit {
		return fmt.Errorf("needs ~%s open files per process (worker and target), RLIMIT_NOFILE allows %d (raising it needs CAP_SYS_RESOURCE)", fmtCount(int64(need)), limit)
	}
	return nil
}

// withPortsAndFiles runs fn when n connections fit in the file limit and the
// port range (widened for the run when needed and restored after).
func withPortsAndFiles(ctx context.Context, n int, fileLimit uint64, fn func(context.Context) error) (skipped string, err error) {
	if err := ensureFiles(n, fileLimit); err != nil {
		return err.Error(), nil
	}
	restore, err := ensurePorts(n + 1000) // 1,000 for the other connections of the machine
	if err != nil {
		return err.Error(), nil
	}
	defer restore()
	return "", fn(ctx)
}
