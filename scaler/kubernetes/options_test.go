package kubernetes_test

import (
	"strings"
	"testing"

	"github.com/stampedehq/stampede/scaler/kubernetes"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		opts kubernetes.Options
		want string // String() of the Scaler
		err  string
	}{
		{
			name: "kubeconfig with namespace",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig.yaml", Name: "stampede-worker"},
			want: "deployment load/stampede-worker",
		},
		{
			name: "namespace given wins",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig.yaml", Namespace: "other", Kind: "StatefulSet", Name: "w"},
			want: "statefulset other/w",
		},
		{
			name: "kubeconfig without namespace",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig-no-namespace.yaml", Kind: "ds", Name: "w"},
			want: "daemonset default/w",
		},
		{
			name: "empty name",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig.yaml", Name: " "},
			err:  "workers name is empty: set STAMPEDE_WORKERS_NAME",
		},
		{
			name: "bad kind",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig.yaml", Kind: "ReplicaSet", Name: "w"},
			err:  `workers kind "ReplicaSet" (STAMPEDE_WORKERS_KIND): want Deployment, StatefulSet or DaemonSet`,
		},
		{
			name: "missing kubeconfig",
			opts: kubernetes.Options{Kubeconfig: "testdata/nope.yaml", Name: "w"},
			err:  "kubeconfig testdata/nope.yaml (STAMPEDE_KUBECONFIG or --kubeconfig): stat testdata/nope.yaml: no such file",
		},
		{
			name: "corrupt kubeconfig",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig-corrupt.yaml", Name: "w"},
			err:  "kubeconfig testdata/kubeconfig-corrupt.yaml: ",
		},
		{
			name: "kubeconfig without context",
			opts: kubernetes.Options{Kubeconfig: "testdata/kubeconfig-no-context.yaml", Name: "w"},
			err:  "kubeconfig testdata/kubeconfig-no-context.yaml: ",
		},
		{
			name: "not in a pod",
			opts: kubernetes.Options{Name: "w"},
			err:  "not in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and no kubeconfig given: set STAMPEDE_KUBECONFIG or --kubeconfig",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBERNETES_SERVICE_HOST", "")
			t.Setenv("KUBERNETES_SERVICE_PORT", "")
			s, err := kubernetes.New(tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("New() = %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewWithClient(t *testing.T) {
	if _, err := kubernetes.NewWithClient(nil, kubernetes.Options{Namespace: "n", Name: "w"}); err == nil {
		t.Error("NewWithClient(nil) succeeded")
	}
	if _, err := kubernetes.NewWithClient(newFake(), kubernetes.Options{Namespace: "n"}); err == nil || !strings.Contains(err.Error(), "STAMPEDE_WORKERS_NAME") {
		t.Errorf("NewWithClient without a name = %v, want an error naming STAMPEDE_WORKERS_NAME", err)
	}
}
