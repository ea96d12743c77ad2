package kubeapiserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

// TestMissingBinary: without the cached kube-apiserver, Start fails with an
// error that says how to get it rather than skipping the tests.
func TestMissingBinary(t *testing.T) {
	notExecutable := filepath.Join(t.TempDir(), "kube-apiserver")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"empty cache dir", map[string]string{"STAMPEDE_KUBE_APISERVER": "", "STAMPEDE_BIN_DIR": t.TempDir(), "KUBE_VERSION": ""},
			[]string{"kube-apiserver " + kubeapiserver.DefaultVersion, "make deps", "scripts/ensure-kube-apiserver"}},
		{"other version", map[string]string{"STAMPEDE_KUBE_APISERVER": "", "STAMPEDE_BIN_DIR": t.TempDir(), "KUBE_VERSION": "v1.30.0"},
			[]string{"kube-apiserver-v1.30.0", "make deps"}},
		{"explicit path not executable", map[string]string{"STAMPEDE_KUBE_APISERVER": notExecutable},
			[]string{"STAMPEDE_KUBE_APISERVER=" + notExecutable, "not an executable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := kubeapiserver.Start(context.Background(), kubeapiserver.Options{Dir: t.TempDir()})
			if err == nil {
				t.Fatal("Start succeeded without the binary")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestStartWithoutDir(t *testing.T) {
	_, err := kubeapiserver.Start(context.Background(), kubeapiserver.Options{})
	if err == nil || !strings.Contains(err.Error(), "Options.Dir") {
		t.Errorf("Start without a Dir: %v, want an error naming Options.Dir", err)
	}
}
