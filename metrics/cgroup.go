package metrics

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// cpuQuota finds how many cores the process may use: the tightest CFS quota
// of its cgroup and the cgroup's ancestors (cgroup v2 cpu.max or v1
// cpu.cfs_quota_us / cpu.cfs_period_us), capped at the CPUs it may run on.
type cpuQuota struct {
	cgroupFS   string     // where the cgroup file system is mounted: /sys/fs/cgroup
	selfCgroup string     // the process's cgroup membership: /proc/self/cgroup
	numCPU     func() int // CPUs the process may run on: runtime.NumCPU honours affinity
}

// systemCPUQuota is the quota of this process on this machine.
func systemCPUQuota() float64 {
	return cpuQuota{cgroupFS: "/sys/fs/cgroup", selfCgroup: "/proc/self/cgroup", numCPU: runtime.NumCPU}.cores()
}

// cores returns the quota in cores, which may be fractional (1.5).
func (q cpuQuota) cores() float64 {
	cores := float64(q.numCPU())
	if limit, ok := q.cgroupLimit(); ok && limit < cores {
		cores = limit
	}
	return cores
}

// cgroupLimit returns the tightest CPU limit on the process's cgroup path, in
// cores, and whether there is one.
func (q cpuQuota) cgroupLimit() (float64, bool) {
	data, err := os.ReadFile(q.selfCgroup)
	if err != nil {
		return 0, false
	}
	// Lines are "hierarchy-ID:controllers:path": "0::/path" for cgroup v2,
	// "4:cpu,cpuacct:/path" for the v1 cpu controller.
	var v2Path string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		id, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		controllers, cgPath, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if id == "0" && controllers == "" {
			v2Path = cgPath
			continue
		}
		for _, c := range strings.Split(controllers, ",") {
			if c == "cpu" {
				return q.walk(cgPath, []string{controllers, "cpu"}, readV1Limit)
			}
		}
	}
	if v2Path != "" {
		return q.walk(v2Path, []string{""}, readV2Limit)
	}
	return 0, false
}

// walk reads the limit of cgPath and of each of its ancestors up to the
// mount's root, under the first of mounts (directories in cgroupFS) that
// holds limit files, and returns the smallest. A container that sees only
// its own cgroup at the mount's root (and its host path in /proc/self/cgroup)
// ends up reading the root.
func (q cpuQuota) walk(cgPath string, mounts []string, read func(dir string) (float64, bool)) (float64, bool) {
	for _, mount := range mounts {
		root := filepath.Join(q.cgroupFS, mount)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		best, found := 0.0, false
		// path.Clean of a rooted path cannot climb above "/".
		for p := path.Clean("/" + cgPath); ; p = path.Dir(p) {
			if limit, ok := read(filepath.Join(root, filepath.FromSlash(p))); ok && (!found || limit < best) {
				best, found = limit, true
			}
			if p == "/" {
				break
			}
		}
		return best, found
	}
	return 0, false
}

// readV2Limit reads cpu.max, "$MAX $PERIOD" or "max $PERIOD" (no limit).
func readV2Limit(dir string) (float64, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 || fields[0] == "max" {
		return 0, false
	}
	period := 100000.0 // the kernel's default when the period is left out
	if len(fields) > 1 {
		p, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return 0, false
		}
		period = p
	}
	return ratio(fields[0], period)
}

// readV1Limit reads cpu.cfs_quota_us (-1: no limit) and cpu.cfs_period_us.
func readV1Limit(dir string) (float64, bool) {
	quota, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_quota_us"))
	if err != nil {
		return 0, false
	}
	periodText, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_period_us"))
	if err != nil {
		return 0, false
	}
	period, err := strconv.ParseFloat(strings.TrimSpace(string(periodText)), 64)
	if err != nil {
		return 0, false
	}
	return ratio(strings.TrimSpace(string(quota)), period)
}

// ratio returns quota/period in cores when both are positive.
func ratio(quotaText string, period float64) (float64, bool) {
	quota, err := strconv.ParseFloat(quotaText, 64)
	if err != nil || quota <= 0 || period <= 0 {
		return 0, false
	}
	return quota / period, true
}
