package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// machine describes this machine and the stampede binary for the report.
func machine(ctx context.Context, bin string) []string {
	version, err := outputOf(ctx, 10*time.Second, bin, "version")
	if err != nil {
		version = "unknown (" + err.Error() + ")"
	}
	return []string{
		fmt.Sprintf("machine: %d CPUs, %s; Linux %s; load average %s", runtime.NumCPU(), cpuModel(), firstLine("/proc/sys/kernel/osrelease"), loadAverage()),
		fmt.Sprintf("Go: %s; stampede: %s (%s)", runtime.Version(), strings.TrimSpace(version), bin),
	}
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// loadAverage is the 1, 5 and 15 minute load: how busy the machine was
// when the run started.
func loadAverage() string {
	fields := strings.Fields(firstLine("/proc/loadavg"))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}
