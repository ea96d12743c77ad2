package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// harness holds what every table needs: the configuration, where the report
// and the progress go, the temp dir, the cores and the tools.
type harness struct {
	cfg        config
	out        io.Writer // the report
	log        io.Writer // progress
	dir        string    // generated scenarios, scripts and summaries
	targetCore int       // -1 when unpinned
	clientCore int       // -1 when unpinned
	fileLimit  uint64    // RLIMIT_NOFILE the children get
	tools      map[string]tool
	poolFlag   bool // the binary knows --max-connections
}

// newHarness checks the binary, raises the file limit, decides the pinning
// and finds (or installs) the tools the chosen tables use.
func newHarness(ctx context.Context, cfg config, out, log io.Writer) (*harness, func(), error) {
	info, err := os.Stat(cfg.bin)
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return nil, nil, fmt.Errorf("-bin %s: not an executable file (run `make build` first)", cfg.bin)
	}
	h := &harness{cfg: cfg, out: out, log: log, targetCore: -1, clientCore: -1, tools: make(map[string]tool)}
	if h.fileLimit, err = raiseFileLimit(); err != nil {
		fmt.Fprintln(log, "compare:", err)
	}
	if _, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 {
		h.targetCore, h.clientCore = 0, 1
	}
	help, _ := combinedOutputOf(ctx, 10*time.Second, cfg.bin, "worker", "--help")
	h.poolFlag = strings.Contains(help, "--max-connections")
	if h.dir, err = os.MkdirTemp("", "stampede-compare-"); err != nil {
		return nil, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(h.dir) }
	need := map[string][]string{"raw": {"wrk", "hey", "vegeta", "k6"}, "crud": {"k6"}, "open": {"k6", "hey"}, "memory": {"k6"}}
	for _, section := range cfg.only {
		for _, name := range need[section] {
			if _, done := h.tools[name]; done {
				continue
			}
			if gt, ok := goTools()[name]; ok {
				h.tools[name] = findGoTool(ctx, gt, cfg.installTimeout, log)
			} else {
				h.tools[name] = findAptTool(ctx, name)
			}
		}
	}
	return h, cleanup, nil
}

// section makes one table.
func (h *harness) section(ctx context.Context, name string) error {
	switch name {
	case "raw":
		return h.raw(ctx)
	case "crud":
		return h.crud(ctx)
	case "open":
		return h.openModel(ctx)
	case "memory":
		return h.memory(ctx)
	}
	return fmt.Errorf("no table %q", name)
}

// pinning says where the target and the clients run.
func (h *harness) pinning() string {
	if h.clientCore < 0 {
		return fmt.Sprintf("unpinned (nproc %d or no taskset)", runtime.NumCPU())
	}
	return fmt.Sprintf("target on core %d, each client on core %d (taskset)", h.targetCore, h.clientCore)
}

// tool returns a found tool, or its skip reason.
func (h *harness) tool(name string) (tool, string) {
	t, ok := h.tools[name]
	switch {
	case !ok:
		return tool{}, name + " was not looked for"
	case t.skip != "":
		return t, t.skip
	}
	return t, ""
}

// header prints the command line and the machine.
func (h *harness) header(ctx context.Context) {
	p := func(format string, args ...any) { fmt.Fprintf(h.out, format, args...) }
	p("## stampede next to other load generators\n\n")
	p("`%s`, %s\n\n", h.cfg.commandLine(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	for _, line := range machine(ctx, h.cfg.bin) {
		p("- %s\n", line)
	}
	p("- pinning: %s\n", h.pinning())
	p("- open files per child: %d\n", h.fileLimit)
	names := make([]string, 0, len(h.tools))
	for _, name := range []string{"wrk", "hey", "vegeta", "k6"} {
		t, ok := h.tools[name]
		switch {
		case !ok:
		case t.skip != "":
			names = append(names, fmt.Sprintf("%s: skipped (%s)", name, t.skip))
		default:
			names = append(names, fmt.Sprintf("%s %s", name, t.version))
		}
	}
	if len(names) > 0 {
		p("- tools: %s\n", strings.Join(names, "; "))
	}
}

// pauseBetween waits between two clients so the previous one's connections
// close; false when ctx ended.
func (h *harness) pauseBetween(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(h.cfg.pause):
		return true
	}
}
