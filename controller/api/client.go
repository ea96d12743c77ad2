package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stampedehq/stampede/metrics"
)

// The API's paths.
const (
	PathStatus    = "/api/v1/status"
	PathRuns      = "/api/v1/runs"
	PathRun       = "/api/v1/runs/current"
	PathRunStop   = "/api/v1/runs/current/stop"
	PathSummary   = "/api/v1/runs/current/summary"
	PathReport    = "/api/v1/runs/current/report"
	PathWorkers   = "/api/v1/workers"
	PathScale     = "/api/v1/workers/scale"
	PathHeartbeat = "/api/v1/workers/heartbeat"
	PathSD        = "/api/v1/sd"
)

// DefaultClientTimeout bounds each request of a Client that sets none.
const DefaultClientTimeout = 10 * time.Second

// maxResponseBytes bounds what a Client reads of a response.
const maxResponseBytes = 64 << 20

// ClientOptions configure a Client.
type ClientOptions struct {
	Token      string        // sent as "Authorization: Bearer <token>" when set
	Timeout    time.Duration // per request; default DefaultClientTimeout
	HTTPClient *http.Client  // default: one with http.DefaultTransport
}

// Client calls a controller's API. It is safe for concurrent use.
type Client struct {
	base    string
	token   string
	timeout time.Duration
	hc      *http.Client
}

// NewClient returns a client of the controller at baseURL
// ("http://127.0.0.1:8089"); the error names the bad URL.
func NewClient(baseURL string, opts ClientOptions) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("controller URL %q: want an absolute http(s) URL such as http://127.0.0.1:8089", baseURL)
	}
	c := &Client{base: strings.TrimRight(baseURL, "/"), token: opts.Token, timeout: opts.Timeout, hc: opts.HTTPClient}
	if c.timeout <= 0 {
		c.timeout = DefaultClientTimeout
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	return c, nil
}

// Heartbeat sends a worker's heartbeat and returns its assignment.
func (c *Client) Heartbeat(ctx context.Context, hb Heartbeat) (HeartbeatResponse, error) {
	var resp HeartbeatResponse
	err := c.do(ctx, http.MethodPost, PathHeartbeat, hb, &resp)
	return resp, err
}

// Leave tells the controller that worker id is gone (after its final
// heartbeat), so that its share goes to the others at once.
func (c *Client) Leave(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, PathWorkers+"/"+url.PathEscape(id), nil, nil)
}

// Status returns the controller's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodGet, PathStatus, nil, &s)
	return s, err
}

// StartRun starts a run.
func (c *Client) StartRun(ctx context.Context, req RunRequest) (RunInfo, error) {
	var info RunInfo
	err := c.do(ctx, http.MethodPost, PathRuns, req, &info)
	return info, err
}

// PatchRun changes the users, spawn rate or rate of the running run.
func (c *Client) PatchRun(ctx context.Context, p RunPatch) (RunInfo, error) {
	var info RunInfo
	err := c.do(ctx, http.MethodPatch, PathRun, p, &info)
	return info, err
}

// StopRun stops the running run.
func (c *Client) StopRun(ctx context.Context) (RunInfo, error) {
	var info RunInfo
	err := c.do(ctx, http.MethodPost, PathRunStop, nil, &info)
	return info, err
}

// Summary returns the merged stats of the current (or last) run with its
// threshold results.
func (c *Client) Summary(ctx context.Context) (metrics.Summary, error) {
	var s metrics.Summary
	err := c.do(ctx, http.MethodGet, PathSummary, nil, &s)
	return s, err
}

// SummaryCSV returns the summary as CSV, one row per endpoint and a total.
func (c *Client) SummaryCSV(ctx context.Context) ([]byte, error) {
	var b bytes.Buffer
	err := c.do(ctx, http.MethodGet, PathSummary+"?format=csv", nil, &b)
	return b.Bytes(), err
}

// Report returns the run's report: one self-contained HTML file.
func (c *Client) Report(ctx context.Context) ([]byte, error) {
	var b bytes.Buffer
	err := c.do(ctx, http.MethodGet, PathReport, nil, &b)
	return b.Bytes(), err
}

// Workers lists the live workers, sorted by id.
func (c *Client) Workers(ctx context.Context) ([]WorkerInfo, error) {
	var w []WorkerInfo
	err := c.do(ctx, http.MethodGet, PathWorkers, nil, &w)
	return w, err
}

// Scale asks the controller's scaler for n workers.
func (c *Client) Scale(ctx context.Context, n int) (WorkersInfo, error) {
	var w WorkersInfo
	err := c.do(ctx, http.MethodPut, PathScale, ScaleRequest{Replicas: n}, &w)
	return w, err
}

// ServiceDiscovery returns the live workers as Prometheus HTTP SD target
// groups.
func (c *Client) ServiceDiscovery(ctx context.Context) ([]TargetGroup, error) {
	var g []TargetGroup
	err := c.do(ctx, http.MethodGet, PathSD, nil, &g)
	return g, err
}

// do sends body (JSON, when not nil) and decodes a 2xx answer into out: a
// *bytes.Buffer takes it as is, anything else as JSON. Other answers become
// an *Error.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	defer func() {
		// Drain a little so that the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		_ = resp.Body.Close()
	}()
	limited := io.LimitReader(resp.Body, maxResponseBytes)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return responseError(resp.StatusCode, limited)
	}
	switch dst := out.(type) {
	case nil:
		return nil
	case *bytes.Buffer:
		_, err = dst.ReadFrom(limited)
	default:
		err = json.NewDecoder(limited).Decode(out)
	}
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

// responseError reads an error answer: {"error", "field"} when it is one,
// else the status text and the start of the body.
func responseError(status int, body io.Reader) *Error {
	data, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	e := &Error{Status: status}
	if json.Unmarshal(data, e) == nil && e.Message != "" {
		return e
	}
	e.Field = ""
	e.Message = strings.TrimSpace(http.StatusText(status) + ": " + clip(strings.TrimSpace(string(data))))
	return e
}
