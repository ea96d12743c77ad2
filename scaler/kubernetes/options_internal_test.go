package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPodNamespace(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content *string // nil: no file
		want    string
		err     string
	}{
		{name: "read", content: ptr("load\n"), want: "load"},
		{name: "empty", content: ptr(" \n"), err: "is empty: set it (STAMPEDE_NAMESPACE)"},
		{name: "missing", err: "namespace of the workers is not set and is not the pod's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name)
			if tt.content != nil {
				if err := os.WriteFile(file, []byte(*tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := podNamespace(file)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("podNamespace() = %q, %v; want an error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("podNamespace() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestRestConfigNamespace checks which namespace wins: the kubeconfig
// context's, else the pod's, else "default".
func TestRestConfigNamespace(t *testing.T) {
	nsFile := filepath.Join(t.TempDir(), "namespace")
	if err := os.WriteFile(nsFile, []byte("pods-own"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kubeconfig, nsFile, want string
	}{
		{"testdata/kubeconfig.yaml", nsFile, "load"},
		{"testdata/kubeconfig-no-namespace.yaml", nsFile, "pods-own"},
		{"testdata/kubeconfig-no-namespace.yaml", nsFile + ".missing", "default"},
	}
	for _, tt := range tests {
		config, ns, err := restConfig(tt.kubeconfig, tt.nsFile)
		if err != nil {
			t.Fatalf("restConfig(%s): %v", tt.kubeconfig, err)
		}
		if ns != tt.want {
			t.Errorf("restConfig(%s, %s) namespace = %q, want %q", tt.kubeconfig, tt.nsFile, ns, tt.want)
		}
		if config.Host != "https://127.0.0.1:6443" {
			t.Errorf("restConfig(%s) host = %q", tt.kubeconfig, config.Host)
		}
		if config.QPS != clientQPS || config.Burst != clientBurst || config.Timeout != clientTimeout {
			t.Errorf("restConfig(%s) QPS %v burst %d timeout %s, want %v, %d, %s (client-go's 5/s throttled the status refresh after a few rescales)",
				tt.kubeconfig, config.QPS, config.Burst, config.Timeout, clientQPS, clientBurst, clientTimeout)
		}
	}
}

func ptr(s string) *string { return &s }
