package k8s

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

const manifestsFile = "manifests/stampede.yaml"

// manifestArgs are what scripts/render-manifests passes to helm template
// besides the release, chart and namespace: the token comes from a Secret
// the user creates, never from one generated into a checked-in file.
var manifestArgs = []string{"--set", "apiToken.existingSecret=stampede-api-token"}

// TestManifestsMatchChart: k8s/manifests/stampede.yaml is the chart's
// render, header comments aside (scripts/render-manifests writes it).
func TestManifestsMatchChart(t *testing.T) {
	data, err := os.ReadFile(manifestsFile)
	if err != nil {
		t.Fatalf("%v: run scripts/render-manifests", err)
	}
	header, body := splitHeader(data)
	command := "helm " + strings.Join(renderArgs(manifestArgs...), " ")
	command = strings.Replace(command, chartDir, "k8s/"+chartDir, 1)
	if !strings.Contains(header, command) {
		t.Errorf("%s's header does not name the command that renders it, %q:\n%s", manifestsFile, command, header)
	}
	if want := render(t, manifestArgs...); !bytes.Equal(body, want) {
		t.Errorf("%s differs from a fresh render of the chart: run scripts/render-manifests", manifestsFile)
	}
	objects, err := decodeAll(body)
	if err != nil {
		t.Fatal(err)
	}
	c := sortObjects(t, objects)
	if len(c.secrets) != 0 {
		t.Errorf("the plain manifests hold %d Secrets; the token must come from one the user creates", len(c.secrets))
	}
	for _, o := range objects {
		if ns := o.(interface{ GetNamespace() string }).GetNamespace(); ns != namespace {
			t.Errorf("%T in namespace %q, want %q", o, ns, namespace)
		}
	}
}

// splitHeader splits the leading comment lines from the rendered YAML.
func splitHeader(data []byte) (string, []byte) {
	var header strings.Builder
	for len(data) > 0 && data[0] == '#' {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		header.Write(line)
		header.WriteByte('\n')
		data = rest
	}
	return header.String(), data
}
