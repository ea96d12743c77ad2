package k8s

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const (
	chartDir    = "chart/stampede"
	releaseName = "stampede"
	namespace   = "stampede"
)

// helmPath finds the helm CLI as scripts/ensure-helm installs it: on PATH,
// else in $HOME/.cache/stampede/bin.
func helmPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "stampede", "bin", "helm")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("helm is not on PATH nor in $HOME/.cache/stampede/bin: run make deps (scripts/ensure-helm installs it)")
	return ""
}

// helm runs the helm CLI with its own config, cache and data dirs, so a
// user's repositories and plugins cannot change what it renders. It
// returns stdout, and stderr in the error.
func helm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, helmPath(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, errors.New(err.Error() + ": " + stderr.String())
	}
	return stdout.Bytes(), nil
}

// renderArgs are the arguments of `helm template` for the release the
// tests and the plain manifests use, with extra arguments (-f, --set).
func renderArgs(extra ...string) []string {
	return append([]string{"template", releaseName, chartDir, "--namespace", namespace}, extra...)
}

// render renders the chart with extra arguments and fails the test when
// helm refuses.
func render(t *testing.T, extra ...string) []byte {
	t.Helper()
	out, err := helm(t, renderArgs(extra...)...)
	if err != nil {
		t.Fatalf("helm %v: %v", renderArgs(extra...), err)
	}
	return out
}
