package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/stampedehq/stampede/metrics"
)

// DecodeRunRequest reads and checks a RunRequest body strictly: one JSON
// object, no unknown fields, values in range. The error is an *Error naming
// the field (a 413 when r is an http.MaxBytesReader that hit its limit).
// Whether the scenario parses is for the controller to say.
func DecodeRunRequest(r io.Reader) (RunRequest, error) {
	data, err := readBody(r)
	if err != nil {
		return RunRequest{}, err
	}
	var req RunRequest
	targets := map[string]any{
		"id":            &req.ID,
		"scenario":      &req.Scenario,
		"target":        &req.Target,
		"model":         &req.Model,
		"users":         &req.Users,
		"spawn_rate":    &req.SpawnRate,
		"rate":          &req.Rate,
		"max_in_flight": &req.MaxInFlight,
		"stages":        &req.Stages,
		"duration":      &req.Duration,
		"thresholds":    (*thresholdList)(&req.Thresholds),
	}
	if e := decodeObject(data, targets, true); e != nil {
		return RunRequest{}, e
	}
	if e := req.validate(); e != nil {
		return RunRequest{}, e
	}
	return req, nil
}

// DecodeRunPatch reads and checks a RunPatch body strictly.
func DecodeRunPatch(r io.Reader) (RunPatch, error) {
	data, err := readBody(r)
	if err != nil {
		return RunPatch{}, err
	}
	var p RunPatch
	targets := map[string]any{"users": &p.Users, "spawn_rate": &p.SpawnRate, "rate": &p.Rate}
	if e := decodeObject(data, targets, true); e != nil {
		return RunPatch{}, e
	}
	if e := p.validate(); e != nil {
		return RunPatch{}, e
	}
	return p, nil
}

// DecodeScale reads and checks a ScaleRequest body strictly; replicas is
// required.
func DecodeScale(r io.Reader) (ScaleRequest, error) {
	data, err := readBody(r)
	if err != nil {
		return ScaleRequest{}, err
	}
	var replicas *int
	if e := decodeObject(data, map[string]any{"replicas": &replicas}, true); e != nil {
		return ScaleRequest{}, e
	}
	if replicas == nil {
		return ScaleRequest{}, badRequest("replicas", "missing: how many workers?")
	}
	s := ScaleRequest{Replicas: *replicas}
	if err := s.Validate(); err != nil {
		return ScaleRequest{}, err
	}
	return s, nil
}

// DecodeHeartbeat reads and checks a Heartbeat body strictly, stats
// included.
func DecodeHeartbeat(r io.Reader) (Heartbeat, error) {
	hb, raw, err := DecodeHeartbeatRawStats(r)
	if err != nil {
		return Heartbeat{}, err
	}
	if raw != nil {
		var s metrics.Snapshot
		if err := json.Unmarshal(raw, &s); err != nil {
			return Heartbeat{}, valueError("stats", err)
		}
		hb.Stats = &s
	}
	return hb, nil
}

// heartbeatWire is a Heartbeat whose stats stay encoded: its Stats field
// shadows the embedded one.
type heartbeatWire struct {
	Heartbeat
	Stats json.RawMessage `json:"stats,omitempty"`
}

// DecodeHeartbeatRawStats is DecodeHeartbeat for a server that merges stats
// later: it checks everything but the inside of the stats, which it returns
// still encoded (nil when absent or null), and leaves hb.Stats nil. Decoding
// stats costs far more than the rest of a heartbeat, and only a merge needs
// them.
func DecodeHeartbeatRawStats(r io.Reader) (hb Heartbeat, stats json.RawMessage, err error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var w heartbeatWire
	if err := dec.Decode(&w); err != nil {
		return Heartbeat{}, nil, heartbeatDecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil && isMaxBytes(err) {
			return Heartbeat{}, nil, readError(err)
		}
		return Heartbeat{}, nil, badRequest("", "unexpected data after the JSON object")
	}
	stats = bytes.TrimSpace(w.Stats)
	switch {
	case len(stats) == 0 || bytes.Equal(stats, []byte("null")):
		stats = nil
	case stats[0] != '{':
		return Heartbeat{}, nil, badRequest("stats", "want an object (the worker's cumulative stats)")
	}
	hb = w.Heartbeat
	hb.Stats = nil
	if e := hb.validate(); e != nil {
		return Heartbeat{}, nil, e
	}
	return hb, stats, nil
}

func heartbeatDecodeError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case isMaxBytes(err):
		return readError(err)
	case errors.Is(err, io.EOF):
		return badRequest("", "empty body: want a JSON object")
	case errors.As(err, &typeErr):
		field := strings.TrimPrefix(typeErr.Field, "Heartbeat.")
		return badRequest(field, "want %s, got %s", describeType(typeErr.Type), typeErr.Value)
	}
	// encoding/json reports an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, uerr := strconv.Unquote(name); uerr == nil {
			name = unq
		}
		return badRequest(clip(name), "unknown field")
	}
	return syntaxError(err)
}

func isMaxBytes(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

// thresholdList decodes each threshold strictly, naming its index.
type thresholdList []ThresholdJSON

func (l *thresholdList) UnmarshalJSON(data []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return valueError("", err)
	}
	if len(items) > MaxThresholds {
		return badRequest("", "%d thresholds, more than the %d allowed", len(items), MaxThresholds)
	}
	out := make([]ThresholdJSON, len(items))
	for i, item := range items {
		t := &out[i]
		targets := map[string]any{
			"metric": &t.Metric, "endpoint": &t.Endpoint, "max_rate": &t.MaxRate,
			"min_rate": &t.MinRate, "p": &t.P, "max": &t.Max,
		}
		if e := decodeObject(item, targets, false); e != nil {
			return e.prefixField(fmt.Sprintf("[%d]", i))
		}
	}
	*l = out
	return nil
}
