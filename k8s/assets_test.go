package k8s

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestChartAssetsMatchDashboards: the chart carries copies of dashboards/
// (a chart cannot read outside its directory); they must not drift.
func TestChartAssetsMatchDashboards(t *testing.T) {
	src, _ := filepath.Glob("../dashboards/*.json")
	dst, _ := filepath.Glob(filepath.Join(chartDir, "dashboards", "*.json"))
	names := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	if !slices.Equal(names(src), names(dst)) {
		t.Errorf("chart dashboards %v, dashboards/ has %v: run scripts/sync-chart-assets", names(dst), names(src))
	}
	files := append(names(src), "rules.yaml")
	for _, name := range files {
		want, err := os.ReadFile(filepath.Join("..", "dashboards", name))
		if os.IsNotExist(err) {
			continue // dashboards/ is written elsewhere; compare what exists
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(chartDir, "dashboards", name))
		if err != nil {
			t.Errorf("%v: run scripts/sync-chart-assets", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/dashboards/%s differs from dashboards/%s: run scripts/sync-chart-assets", chartDir, name, name)
		}
	}
}
