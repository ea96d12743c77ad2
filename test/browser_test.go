package test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserToken is the API token of the controller the browser tests drive.
const browserToken = "browser-test-token"

// artifactDir is where screenshots go: $STAMPEDE_TEST_ARTIFACTS, or a
// temporary directory that the test logs.
func artifactDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("STAMPEDE_TEST_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir := t.TempDir()
	t.Logf("artifacts in %s", dir)
	return dir
}

// browser starts headless Debian chromium (skipping the test without it)
// and collects the pages' console errors and uncaught exceptions.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: install Debian's chromium package (make deps does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 1600),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx) // starts the browser and subscribes now
	done := make(chan struct{})
	go func() { // ends with ctx
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc(); <-done })
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := errs
		errs = nil
		return out
	}
}

// authedGet GETs a controller path with the API token.
func authedGet(t *testing.T, url string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+browserToken)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

func TestControlPageInChromium(t *testing.T) {
	ctx, consoleErrors := browser(t)
	artifacts := artifactDir(t)
	_, target := startDemoTarget(t)
	ctlProc := start(t, []string{"STAMPEDE_API_TOKEN=" + browserToken},
		append([]string{"controller", "--listen", "127.0.0.1:0", "--scaler", "local", "--workers", "2"}, fastLeases...)...)
	ctl := ctlProc.waitLog(`msg="controller serving" url=(http://127\.0\.0\.1:\d+)`, 30*time.Second)
	scenario, err := os.ReadFile("testdata/crud-fast.yaml")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "2 workers", func() bool { return len(workers(t, ctl)) == 2 })

	// Without the token the page is refused: only the login form.
	if err := chromedp.Do(ctx, chromedp.Navigate(ctl+"/")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[data-path]").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "sign in") || forms != 0 {
		t.Fatalf("without the token: page %q with %d control forms, want the login page only", title, forms)
	}
	consoleErrors() // the 401 of the refused page is logged as an error; that is the point

	// Sign in, then start a run through the form.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("token"), browserToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.SetValue(chromedp.ID("scenario"), string(scenario)),
		chromedp.SetValue(chromedp.ID("target"), target),
		chromedp.SetValue(chromedp.ID("users"), "8"),
		chromedp.SetValue(chromedp.ID("spawn_rate"), "100"),
		chromedp.SetValue(chromedp.ID("duration"), "2m"),
		chromedp.Click(chromedp.ID("start")),
		chromedp.WaitVisible(chromedp.ID("run-id")),
	)
	if err != nil {
		t.Fatalf("starting a run through the form: %v", err)
	}
	eventually(t, 30*time.Second, "the workers carrying 8 users and requests counted", func() bool {
		var sum struct {
			Total struct{ Requests int64 } `json:"Total"`
		}
		_ = json.Unmarshal(authedGet(t, ctl+"/api/v1/runs/current/summary"), &sum)
		return usersOnWorkers(t, workers(t, ctl)) == 8 && sum.Total.Requests > 0
	})

	// An error of the API shows next to its field: the closed model takes no rate.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("patch-rate"), "5"),
		chromedp.Click(chromedp.ID("patch")),
		chromedp.WaitVisible(chromedp.CSS(`#patch-form .err[data-field="rate"]:not(:empty)`)),
	)
	var rateError string
	if err == nil {
		rateError, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#patch-form .err[data-field="rate"]`)))
	}
	if err != nil || !strings.Contains(rateError, "closed model") {
		t.Fatalf("the rate error next to its field: %q, %v", rateError, err)
	}
	consoleErrors() // the browser logs the 400 it asked for

	// Rescale from 2 to 4: the page lists 4 workers by itself.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("replicas"), "4"),
		chromedp.Click(chromedp.ID("scale")),
	)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the page listing 4 workers", func() bool {
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#workers tbody tr").length`))
		if err != nil {
			t.Fatal(err)
		}
		return rows == 4
	})
	if n := len(workers(t, ctl)); n != 4 {
		t.Errorf("the API lists %d workers, want 4", n)
	}
	time.Sleep(2500 * time.Millisecond) // a few samples for the report's charts
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	writeArtifact(t, artifacts, "control-page.png", shot)
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the control page:\n%s", strings.Join(errs, "\n"))
	}

	// Stop, then open the report offline, from a file.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("stop"))); err != nil {
		t.Fatalf("stopping through the form: %v", err)
	}
	eventually(t, 30*time.Second, "the page showing the run stopped", func() bool {
		// The page reloads after the stop: an evaluation during it fails, and is tried again.
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("run-state") || {}).textContent || ""`))
		return err == nil && state == "stopped"
	})
	report := filepath.Join(artifacts, "report.html")
	writeArtifact(t, artifacts, "report.html", authedGet(t, ctl+"/api/v1/runs/current/report"))
	err = chromedp.Do(ctx,
		chromedp.Navigate("file://"+report),
		chromedp.WaitVisible(chromedp.CSS("#chart-workers canvas")),
	)
	if err != nil {
		t.Fatalf("opening the report: %v", err)
	}
	painted, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#charts canvas")).filter(function (c) {
			var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) { return true; } }
			return false;
		}).length`))
	if err == nil {
		shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	}
	if err != nil {
		t.Fatalf("opening the report: %v", err)
	}
	writeArtifact(t, artifacts, "report.png", shot)
	if painted < 4 {
		t.Errorf("%d charts painted in the report, want 4", painted)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors in the report:\n%s", strings.Join(errs, "\n"))
	}
}

func writeArtifact(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(data))
}
