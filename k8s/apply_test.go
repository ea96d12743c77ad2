package k8s

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

// TestChartAppliesToARealAPIServer renders each variant of the chart (the
// same table as TestChartVariants) into a fresh namespace of a real
// kube-apiserver with server-side apply, as `helm template | kubectl apply
// --server-side` would, after installing the Prometheus Operator's
// PodMonitor and PrometheusRule CRDs (testdata/crds, v0.85.0). Every object
// must be accepted under strict field validation, read back with every
// field it was applied with, raise no warning (the namespaces enforce the
// restricted Pod Security Standard, so a pod template that breaks it warns),
// and a second apply of the same manifests must change nothing.
func TestChartAppliesToARealAPIServer(t *testing.T) {
	cluster := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := newApplier(t, cluster)
	crds, err := a.installCRDs(ctx, "testdata/crds")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"}; !slices.Equal(crds, want) {
		t.Fatalf("installed CRDs %v, want %v", crds, want)
	}
	a.warnings.take()

	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			ns := fmt.Sprintf("chart-%d", i)
			if err := a.createNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
			rendered, err := helm(t, append([]string{"template", releaseName, chartDir, "--namespace", ns}, v.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			objects, err := kubeapiserver.SplitYAML(rendered)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			versions := map[string]string{}
			for _, obj := range objects {
				kinds = append(kinds, obj.GetKind())
				if obj.GetNamespace() != ns {
					t.Errorf("%s has namespace %q, want the release's %q", describe(obj), obj.GetNamespace(), ns)
					obj.SetNamespace(ns)
				}
				stored, err := a.Apply(ctx, obj)
				if err != nil {
					t.Errorf("the API server refused %s: %v", describe(obj), err)
					continue
				}
				got, err := a.get(ctx, obj)
				if err != nil {
					t.Errorf("reading back %s: %v", describe(obj), err)
					continue
				}
				if got.GetUID() == "" || got.GetUID() != stored.GetUID() {
					t.Errorf("%s read back with uid %q, applied as %q", describe(obj), got.GetUID(), stored.GetUID())
				}
				for _, lost := range notKept(obj.Object, got.Object, "") {
					t.Errorf("%s: %s", describe(obj), lost)
				}
				versions[describe(obj)] = got.GetResourceVersion()
			}
			wantCustom := 0
			if v.monitoring {
				wantCustom = 2
			}
			if custom := countKinds(kinds, "PodMonitor", "PrometheusRule"); custom != wantCustom {
				t.Errorf("applied %d PodMonitor/PrometheusRule objects, want %d (kinds: %v)", custom, wantCustom, kinds)
			}
			if !slices.Contains(kinds, v.workersKind) {
				t.Errorf("no %s of workers among %v", v.workersKind, kinds)
			}
			for _, w := range a.warnings.take() {
				t.Errorf("the API server warned: %s", w)
			}

			// Applying the same manifests again (a helm upgrade or a GitOps
			// sync with nothing changed) must be a no-op on the server.
			for _, obj := range objects {
				was, ok := versions[describe(obj)]
				if !ok {
					continue // refused the first time: reported above
				}
				again, err := a.Apply(ctx, obj)
				if err != nil {
					t.Errorf("applying %s again: %v", describe(obj), err)
					continue
				}
				if again.GetResourceVersion() != was {
					t.Errorf("applying %s again changed it (resourceVersion %s -> %s)", describe(obj), was, again.GetResourceVersion())
				}
			}
			t.Logf("%d of %d objects accepted in namespace %s: %v", len(versions), len(objects), ns, kinds)
		})
	}
}

func countKinds(kinds []string, want ...string) int {
	n := 0
	for _, k := range kinds {
		if slices.Contains(want, k) {
			n++
		}
	}
	return n
}
