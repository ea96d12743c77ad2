package k8s

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// stampedeBinary is the binary built once in TestMain, whose --help is the
// contract the chart's env vars are checked against. Written only before
// the tests run.
var stampedeBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stampede-k8s-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stampedeBinary = filepath.Join(dir, "stampede")
	build := exec.Command("go", "build", "-o", stampedeBinary, "../cmd/stampede")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ../cmd/stampede:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
