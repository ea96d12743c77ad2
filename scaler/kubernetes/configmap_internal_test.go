package kubernetes

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/controller"
)

func FuzzDecodeState(f *testing.F) {
	for _, s := range []string{`{"version":1}`, `{"version":1,"replicas":3,"run":{"id":"r"}}`, `{`, `{"version":2}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeState("configmap n/s", data)
		if err != nil {
			if !strings.Contains(err.Error(), "configmap n/s key state.json") {
				t.Errorf("error does not name the ConfigMap and key: %v", err)
			}
			return
		}
		if s.Version != controller.StateVersion {
			t.Errorf("decoded version %d", s.Version)
		}
		// What was read must save and read back the same.
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeState("configmap n/s", again); err != nil {
			t.Errorf("a decoded state does not read back: %v", err)
		}
	})
}
