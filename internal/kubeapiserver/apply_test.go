package kubeapiserver_test

import (
	"strings"
	"testing"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

func TestSplitYAML(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // kind/name of each object
		wantErr    string
	}{
		{"empty", "", nil, ""},
		{"comments only", "# Source: a.yaml\n---\n# Source: b.yaml\n", nil, ""},
		{"two objects", "# Source: a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n",
			[]string{"ConfigMap/a", "Deployment/b"}, ""},
		{"bad document named", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n", nil, "document 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := kubeapiserver.SplitYAML([]byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
