package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// checkDecodeError asserts what every decoder promises about its errors: an
// *Error, a 400 (there is no body limit here), with a message.
func checkDecodeError(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Message == "" {
		t.Fatalf("error %#v (%v) is not a 400 *Error with a message", e, err)
	}
}

func FuzzDecodeRunRequest(f *testing.F) {
	f.Add(readTestdata(f, "run_request.json"))
	f.Add([]byte(`{"scenario": "x", "users": 3, "stages": [{"duration": "1s", "target": 2}]}`))
	f.Add([]byte(`{"scenario": "x", "thresholds": [{"metric": "checks", "min_rate": 1}], "stages": "1s:1"}`))
	f.Add([]byte(`{"scenario": "x", "users": 1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodeRunRequest(bytes.NewReader(data))
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("decoded a request that does not validate: %v", err)
		}
		// What decodes, re-encoded, decodes to the same.
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeRunRequest(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("%s decoded, but its encoding %s does not: %v", data, again, err)
		}
		if !reflect.DeepEqual(normalizeRun(back), normalizeRun(req)) {
			t.Fatalf("round trip of %s:\n got %+v\nwant %+v", data, back, req)
		}
	})
}

// normalizeRun makes empty and nil lists equal, as JSON cannot tell them apart.
func normalizeRun(r RunRequest) RunRequest {
	if len(r.Stages) == 0 {
		r.Stages = nil
	}
	if len(r.Thresholds) == 0 {
		r.Thresholds = nil
	}
	return r
}

func FuzzDecodeHeartbeat(f *testing.F) {
	f.Add(readTestdata(f, "heartbeat.json"))
	f.Add([]byte(`{"id": "w1", "state": "idle", "stats": null}`))
	f.Add([]byte(`{"id": "w1", "state": "stopping", "metrics_addr": ":9464", "stats": {"endpoints": [{"latency": "HISTFAAAAB94nJNpmSzMwMDAxAABzFCaEUoz2H+AiQAATrUDMQ=="}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hb, rawErr := func() (Heartbeat, error) {
			hb, _, err := DecodeHeartbeatRawStats(bytes.NewReader(data))
			return hb, err
		}()
		full, err := DecodeHeartbeat(bytes.NewReader(data))
		if rawErr != nil {
			checkDecodeError(t, rawErr)
			if err == nil {
				t.Fatalf("the full decoder took what the raw one refused: %v", rawErr)
			}
			return
		}
		if err != nil {
			checkDecodeError(t, err) // only the stats can fail it now
			return
		}
		full.Stats = nil
		if !reflect.DeepEqual(full, hb) {
			t.Fatalf("the decoders differ:\n%+v\n%+v", full, hb)
		}
		if err := hb.Validate(); err != nil {
			t.Fatalf("decoded a heartbeat that does not validate: %v", err)
		}
	})
}

func FuzzDecodeRunPatch(f *testing.F) {
	f.Add(readTestdata(f, "run_patch.json"))
	f.Add([]byte(`{"rate": 2.5}`))
	f.Add([]byte(`{"users": null, "spawn_rate": 0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeRunPatch(bytes.NewReader(data))
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded a patch that does not validate: %v", err)
		}
	})
}

func FuzzDecodeScale(f *testing.F) {
	f.Add(readTestdata(f, "scale.json"))
	f.Add([]byte(`{"replicas": 0}`))
	f.Add([]byte(`{"replicas": -1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeScale(bytes.NewReader(data))
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if s.Replicas < 0 || s.Replicas > MaxReplicas {
			t.Fatalf("decoded %d replicas", s.Replicas)
		}
	})
}
