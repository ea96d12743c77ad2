package k8s

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// strictDecoder decodes the built-in kinds and refuses unknown and
// duplicate fields, so a misspelt field in a template fails the test
// instead of being dropped by the API server.
var strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

// decodeAll decodes every YAML document of a rendered chart: built-in kinds
// into their typed objects, the Prometheus Operator's (PodMonitor,
// PrometheusRule), which client-go's scheme does not know, into
// unstructured objects.
func decodeAll(rendered []byte) ([]runtime.Object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(rendered)))
	var objects []runtime.Object
	for i := 1; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if isBlank(doc) {
			continue
		}
		obj, _, err := strictDecoder.Decode(doc, nil, nil)
		if runtime.IsNotRegisteredError(err) {
			obj, err = decodeUnstructured(doc)
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w\n%s", i, err, doc)
		}
		objects = append(objects, obj)
	}
}

func decodeUnstructured(doc []byte) (*unstructured.Unstructured, error) {
	data, err := utilyaml.ToJSON(doc)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return u, nil
}

// isBlank reports whether a document holds only comments and whitespace
// (helm prints a "# Source:" comment before each template's output, and
// an empty document for a template that renders nothing).
func isBlank(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && !bytes.Equal(line, []byte("---")) {
			return false
		}
	}
	return true
}

func TestIsBlank(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{"", true},
		{"---\n# Source: x.yaml\n", true},
		{"# Source: x.yaml\nkind: ConfigMap\n", false},
	}
	for _, tt := range tests {
		if got := isBlank([]byte(tt.doc)); got != tt.want {
			t.Errorf("isBlank(%q) = %v, want %v", tt.doc, got, tt.want)
		}
	}
}
