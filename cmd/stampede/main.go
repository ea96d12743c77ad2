// Command stampede is an observability-first distributed HTTP load
// generator: workers generate load and expose Prometheus metrics, a
// controller hands them their share, and `stampede run` does it all on one
// machine. main only parses configuration and wires the packages together.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, the contract with CI pipelines.
const (
	exitOK       = 0
	exitBreached = 1 // a threshold failed, or the run failed
	exitUsage    = 2 // bad flags, variables or scenario
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(args, environ []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run a load test on this machine: controller, local workers and (by default) the demo target", runLocal},
		{"controller", "hold the desired state, hand workers their share, merge stats, rescale", runController},
		{"worker", "generate load from a scenario (or a controller's run) and expose metrics on /metrics", runWorker},
		{"ctl", "drive a controller: status, start, set, scale, stop, summary", runCtl},
		{"demo-target", "serve the demo ToDo API that stampede loads by default", runDemoTarget},
		{"version", "print the version", runVersion},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func dispatch(args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], environ, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "stampede: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("stampede: an observability-first distributed HTTP load generator\n\nUsage: stampede <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nEvery flag is also an environment variable STAMPEDE_<FLAG> (flags win).\nRun 'stampede <command> --help' for its flags.\n")
	_, _ = io.WriteString(w, b.String())
}

func runVersion(_, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "stampede %s\n", version)
	return exitOK
}
