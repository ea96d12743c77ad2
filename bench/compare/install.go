package main

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// tool is a client binary found (path set) or not (skip says why).
type tool struct {
	name    string
	path    string
	version string
	skip    string
}

// goTool is a client installed with `go install` when it is missing.
type goTool struct {
	name   string
	module string // package@version for go install
}

// goTools are the clients taken from the Go module proxy; they are never
// added to this module's go.mod.
func goTools() map[string]goTool {
	return map[string]goTool{
		"vegeta": {name: "vegeta", module: "github.com/tsenart/vegeta/v12@latest"},
		"k6":     {name: "k6", module: "go.k6.io/k6@latest"},
	}
}

// cacheBin is where missing Go tools are installed.
func cacheBin() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "stampede", "bin"), nil
}

// findBinary looks for name on PATH, then in $HOME/go/bin, then in the cache.
func findBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	if dir, err := cacheBin(); err == nil {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// findAptTool finds a Debian-packaged client (make bench-compare installs
// them with scripts/ensure-apt).
func findAptTool(ctx context.Context, name string) tool {
	t := tool{name: name}
	p, ok := findBinary(name)
	if !ok {
		t.skip = fmt.Sprintf("%s not found on PATH (Debian package %s; `make bench-compare` installs it)", name, name)
		return t
	}
	t.path = p
	t.version = debianVersion(ctx, name)
	return t
}

// findGoTool finds a Go client or installs it into the cache directory,
// bounded by timeout; progress goes to log.
func findGoTool(ctx context.Context, gt goTool, timeout time.Duration, log io.Writer) tool {
	t := tool{name: gt.name}
	if p, ok := findBinary(gt.name); ok {
		t.path, t.version = p, goBinaryVersion(p)
		return t
	}
	dir, err := cacheBin()
	if err != nil {
		t.skip = fmt.Sprintf("no home directory to install %s into: %v", gt.name, err)
		return t
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.skip = fmt.Sprintf("cannot create %s: %v", dir, err)
		return t
	}
	fmt.Fprintf(log, "installing %s: go install %s into %s (up to %v)\n", gt.name, gt.module, dir, timeout)
	// GOFLAGS is cleared so a -mod=vendor or similar of the caller does not
	// apply; the work dir is outside this module so go.mod is not touched.
	spec := procSpec{
		argv: []string{"go", "install", gt.module},
		core: -1,
		env:  []string{"GOFLAGS=", "GOBIN=" + dir, "GOWORK=off"},
		dir:  os.TempDir(),
	}
	if _, err := runToEnd(ctx, spec, timeout); err != nil {
		t.skip = fmt.Sprintf("not found and `go install %s` failed: %v", gt.module, shorten(err.Error(), 200))
		return t
	}
	p := filepath.Join(dir, gt.name)
	if _, err := os.Stat(p); err != nil {
		t.skip = fmt.Sprintf("`go install %s` left no %s", gt.module, p)
		return t
	}
	t.path, t.version = p, goBinaryVersion(p)
	return t
}

// goBinaryVersion is the main module version recorded in a Go binary.
func goBinaryVersion(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(info.Main.Path + " " + info.Main.Version + " (" + info.GoVersion + ")")
}

// debianVersion is the installed version of a Debian package, or "".
func debianVersion(ctx context.Context, pkg string) string {
	out, err := outputOf(ctx, 5*time.Second, "dpkg-query", "-W", "-f=${Version}", pkg)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// shorten cuts s to at most n bytes, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
