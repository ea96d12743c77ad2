package kubernetes

import (
	"strings"
	"testing"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want kind
		err  string
	}{
		{"", deployment, ""},
		{"Deployment", deployment, ""},
		{" deployments ", deployment, ""},
		{"deploy", deployment, ""},
		{"StatefulSet", statefulSet, ""},
		{"STS", statefulSet, ""},
		{"daemonset", daemonSet, ""},
		{"ds", daemonSet, ""},
		{"ReplicaSet", "", `workers kind "ReplicaSet" (STAMPEDE_WORKERS_KIND)`},
		{"apps/v1.Deployment", "", "want Deployment, StatefulSet or DaemonSet"},
	}
	for _, tt := range tests {
		got, err := parseKind(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseKind(%q) = %v, want an error containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseKind(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseKind(f *testing.F) {
	for _, s := range []string{"", "Deployment", "sts", "DaemonSet", "ReplicaSet", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := parseKind(s)
		if err != nil {
			if !strings.Contains(err.Error(), "STAMPEDE_WORKERS_KIND") {
				t.Errorf("parseKind(%q) error does not name STAMPEDE_WORKERS_KIND: %v", s, err)
			}
			return
		}
		if apiCalls(k) == nil {
			t.Errorf("parseKind(%q) = %q, which has no API calls", s, k)
		}
	})
}
