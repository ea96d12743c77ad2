package kubeapiserver_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

func TestParseAudit(t *testing.T) {
	const sa = "system:serviceaccount:load:stampede-controller"
	data, err := os.ReadFile("testdata/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		log     string
		want    []kubeapiserver.AuditEvent
		wantErr string
	}{
		{name: "events, a blank line, and a last line cut short", log: string(data), want: []kubeapiserver.AuditEvent{
			{Verb: "update", User: sa, Namespace: "load", Resource: "deployments", Subresource: "scale", Name: "stampede-worker", Code: 409},
			{Verb: "list", User: sa, Namespace: "load", Resource: "secrets", Code: 403},
			{Verb: "get", User: sa, Code: 200},
		}},
		{name: "empty", log: ""},
		{name: "a broken line before the last", log: "{\"verb\":\nnot json\n{\"verb\":\"get\"}\n", wantErr: "audit log line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kubeapiserver.ParseAudit(strings.NewReader(tt.log))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseAudit(f *testing.F) {
	data, err := os.ReadFile("testdata/audit.log")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("{}\n{\"objectRef\":null}\n"))
	f.Fuzz(func(t *testing.T, log []byte) {
		events, err := kubeapiserver.ParseAudit(bytes.NewReader(log))
		if err != nil && events != nil {
			t.Errorf("events %v returned with error %v", events, err)
		}
	})
}
