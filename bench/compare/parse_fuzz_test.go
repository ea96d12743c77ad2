package main

import (
	"testing"
)

// The fuzz targets check that no tool output, however mangled, makes a
// parser panic, and that what they accept is sane.

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		f.Add(readTestdata(f, name))
	}
}

func checkSane(t *testing.T, r result) {
	t.Helper()
	for q, d := range r.latency {
		if d < 0 {
			t.Errorf("latency %v = %v, negative", q, d)
		}
	}
}

func FuzzParseWrk(f *testing.F) {
	addSeeds(f, "wrk.txt", "wrk-non2xx.txt", "wrk-refused.txt")
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseWrk(out); err == nil {
			checkSane(t, r)
		}
	})
}

func FuzzParseHey(f *testing.F) {
	addSeeds(f, "hey.txt", "hey-404.txt", "hey-refused.txt")
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseHey(out); err == nil {
			checkSane(t, r)
		}
	})
}

func FuzzParseVegetaJSON(f *testing.F) {
	addSeeds(f, "vegeta.json")
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseVegetaJSON([]byte(out)); err == nil {
			checkSane(t, r)
		}
	})
}

func FuzzParseK6Summary(f *testing.F) {
	addSeeds(f, "k6-handlesummary.json", "k6-summary-export.json", "k6-open-dropped-failed.json")
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseK6Summary([]byte(out)); err == nil {
			checkSane(t, r)
		}
	})
}

func FuzzParseStampedeSummary(f *testing.F) {
	addSeeds(f, "stampede-raw.json", "stampede-crud.json")
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseStampedeSummary([]byte(out)); err == nil {
			checkSane(t, r)
		}
	})
}

func FuzzParseGauge(f *testing.F) {
	f.Add(readTestdata(f, "demo-target-metrics.txt"), "demotarget_items")
	f.Add("x{a=\"}\"} 1\n", "x")
	f.Fuzz(func(t *testing.T, exposition, name string) {
		_, _ = parseGauge(exposition, name)
	})
}

func FuzzParseVmRSS(f *testing.F) {
	addSeeds(f, "proc-status.txt")
	f.Fuzz(func(t *testing.T, status string) {
		if rss, err := parseVmRSS(status); err == nil && rss < 0 {
			t.Errorf("VmRSS %d, negative", rss)
		}
	})
}

func FuzzParseK6Status(f *testing.F) {
	addSeeds(f, "k6-status.json")
	f.Fuzz(func(t *testing.T, body string) {
		_, _, _ = parseK6Status(body)
	})
}

func FuzzParsePortRange(f *testing.F) {
	f.Add("32768\t60999\n")
	f.Add("1024 65535")
	f.Fuzz(func(t *testing.T, text string) {
		if r, err := parsePortRange(text); err == nil && r.size() < 1 {
			t.Errorf("range %v has no ports", r)
		}
	})
}
