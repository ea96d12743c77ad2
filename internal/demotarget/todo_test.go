package demotarget

import (
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestRoutes sends one request to a server holding two items (ids 1 and 2,
// stored without being counted) and checks the response and what was
// counted for it.
func TestRoutes(t *testing.T) {
	tooLarge := `{"Description": "` + strings.Repeat("x", maxBodyBytes) + `"}`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string // exact JSON (compared as values) or text; "" skips
		wantError  bool   // the body is a JSON error
		wantAllow  string
		wantRoute  string // the route counted; "" for none
		wantItems  int
	}{
		{name: "create", method: "POST", path: "/todo", body: `{"Description": "read", "Completed": true}`,
			wantStatus: 201, wantBody: `{"Id": 3, "Description": "read", "Completed": true}`, wantRoute: "POST /todo", wantItems: 3},
		{name: "create ignores a numeric Id", method: "POST", path: "/todo", body: `{"Id": 99, "Description": "read"}`,
			wantStatus: 201, wantBody: `{"Id": 3, "Description": "read", "Completed": false}`, wantRoute: "POST /todo", wantItems: 3},
		{name: "create ignores a string Id", method: "POST", path: "/todo", body: `{"Id": "99", "Completed": true}`,
			wantStatus: 201, wantBody: `{"Id": 3, "Description": "", "Completed": true}`, wantRoute: "POST /todo", wantItems: 3},
		{name: "create malformed JSON", method: "POST", path: "/todo", body: `{"Description": `,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create no body", method: "POST", path: "/todo",
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create array body", method: "POST", path: "/todo", body: `[1]`,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create null body", method: "POST", path: "/todo", body: `null`,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create wrong field type", method: "POST", path: "/todo", body: `{"Completed": "yes"}`,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create object Id", method: "POST", path: "/todo", body: `{"Id": {"n": 1}}`,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create trailing garbage", method: "POST", path: "/todo", body: `{"Description": "a"} x`,
			wantStatus: 400, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "create body too large", method: "POST", path: "/todo", body: tooLarge,
			wantStatus: 413, wantError: true, wantRoute: "POST /todo", wantItems: 2},
		{name: "list", method: "GET", path: "/todo",
			wantStatus: 200, wantBody: `[{"Id": 1, "Description": "buy milk", "Completed": false}, {"Id": 2, "Description": "walk the dog", "Completed": true}]`,
			wantRoute: "GET /todo", wantItems: 2},
		{name: "get", method: "GET", path: "/todo/2",
			wantStatus: 200, wantBody: `{"Id": 2, "Description": "walk the dog", "Completed": true}`, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "head", method: "HEAD", path: "/todo/2",
			wantStatus: 200, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "get absent", method: "GET", path: "/todo/3",
			wantStatus: 404, wantError: true, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "get negative", method: "GET", path: "/todo/-1",
			wantStatus: 404, wantError: true, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "get non-numeric", method: "GET", path: "/todo/abc",
			wantStatus: 400, wantError: true, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "get out of range", method: "GET", path: "/todo/99999999999999999999",
			wantStatus: 400, wantError: true, wantRoute: "GET /todo/{id}", wantItems: 2},
		{name: "update", method: "PUT", path: "/todo/1", body: `{"Description": "buy oat milk", "Completed": true}`,
			wantStatus: 200, wantBody: `{"Id": 1, "Description": "buy oat milk", "Completed": true}`, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update keeps absent fields", method: "PUT", path: "/todo/1", body: `{"Completed": true}`,
			wantStatus: 200, wantBody: `{"Id": 1, "Description": "buy milk", "Completed": true}`, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update ignores a string Id", method: "PUT", path: "/todo/1", body: `{"Id": "2", "Completed": true}`,
			wantStatus: 200, wantBody: `{"Id": 1, "Description": "buy milk", "Completed": true}`, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update ignores a numeric Id", method: "PUT", path: "/todo/1", body: `{"Id": 2, "Description": "x", "Completed": false}`,
			wantStatus: 200, wantBody: `{"Id": 1, "Description": "x", "Completed": false}`, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update absent", method: "PUT", path: "/todo/3", body: `{"Completed": true}`,
			wantStatus: 404, wantError: true, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update non-numeric", method: "PUT", path: "/todo/x1", body: `{"Completed": true}`,
			wantStatus: 400, wantError: true, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update malformed JSON", method: "PUT", path: "/todo/1", body: `{"Completed": tru}`,
			wantStatus: 400, wantError: true, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "update boolean Id", method: "PUT", path: "/todo/1", body: `{"Id": true}`,
			wantStatus: 400, wantError: true, wantRoute: "PUT /todo/{id}", wantItems: 2},
		{name: "delete", method: "DELETE", path: "/todo/1",
			wantStatus: 204, wantBody: "", wantRoute: "DELETE /todo/{id}", wantItems: 1},
		{name: "delete absent", method: "DELETE", path: "/todo/7",
			wantStatus: 404, wantError: true, wantRoute: "DELETE /todo/{id}", wantItems: 2},
		{name: "delete non-numeric", method: "DELETE", path: "/todo/1.5",
			wantStatus: 400, wantError: true, wantRoute: "DELETE /todo/{id}", wantItems: 2},
		{name: "hello", method: "GET", path: "/hello",
			wantStatus: 200, wantBody: "hello\n", wantRoute: "GET /hello", wantItems: 2},
		{name: "wrong method on an item", method: "PATCH", path: "/todo/1", body: `{}`,
			wantStatus: 405, wantAllow: "DELETE, GET, HEAD, PUT", wantRoute: "other", wantItems: 2},
		{name: "wrong method on the list", method: "DELETE", path: "/todo",
			wantStatus: 405, wantAllow: "GET, HEAD, POST", wantRoute: "other", wantItems: 2},
		{name: "wrong method on hello", method: "POST", path: "/hello",
			wantStatus: 405, wantAllow: "GET, HEAD", wantRoute: "other", wantItems: 2},
		{name: "unknown path", method: "GET", path: "/todos",
			wantStatus: 404, wantRoute: "other", wantItems: 2},
		{name: "healthz", method: "GET", path: "/healthz",
			wantStatus: 200, wantBody: "ok\n", wantItems: 2},
		{name: "stats", method: "GET", path: "/stats",
			wantStatus: 200, wantBody: `{"routes": {}, "total": 0, "items": 2}`, wantItems: 2},
		{name: "metrics", method: "GET", path: "/metrics", wantStatus: 200, wantItems: 2},
		{name: "wrong method on stats", method: "POST", path: "/stats",
			wantStatus: 405, wantAllow: "GET, HEAD", wantItems: 2},
		{name: "wrong method on metrics", method: "DELETE", path: "/metrics",
			wantStatus: 405, wantAllow: "GET, HEAD", wantItems: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			s.items.create("buy milk", false)
			s.items.create("walk the dog", true)

			w := serveOne(s, tt.method, tt.path, tt.body)

			mustStatus(t, w, tt.wantStatus)
			body := w.Body.String()
			switch {
			case tt.wantBody == "":
				if tt.wantStatus == http.StatusNoContent && body != "" {
					t.Errorf("body %q, want none", body)
				}
			case strings.HasPrefix(tt.wantBody, "{") || strings.HasPrefix(tt.wantBody, "["):
				assertSameJSON(t, body, tt.wantBody)
				if got := w.Header().Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type %q, want application/json", got)
				}
			default:
				if body != tt.wantBody {
					t.Errorf("body %q, want %q", body, tt.wantBody)
				}
			}
			if tt.wantError {
				var e errorBody
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Errorf("body %q is not a JSON error (%v)", body, err)
				}
			}
			if got := w.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got, tt.wantAllow)
			}

			want := Stats{Routes: map[string]map[string]int64{}, Items: tt.wantItems}
			if tt.wantRoute != "" {
				want.Routes[tt.wantRoute] = map[string]int64{strconv.Itoa(tt.wantStatus): 1}
				want.Total = 1
			}
			assertStats(t, s.Stats(), want)
		})
	}
}

// TestIDsIncrease checks that ids are handed out from 1 and never reused.
func TestIDsIncrease(t *testing.T) {
	s := newTestServer(t, Options{})
	create := func() int64 {
		t.Helper()
		w := serveOne(s, "POST", "/todo", `{"Description": "d"}`)
		mustStatus(t, w, http.StatusCreated)
		var item Item
		if err := json.Unmarshal(w.Body.Bytes(), &item); err != nil {
			t.Fatal(err)
		}
		return item.ID
	}
	for want := int64(1); want <= 3; want++ {
		if got := create(); got != want {
			t.Fatalf("id %d, want %d", got, want)
		}
	}
	mustStatus(t, serveOne(s, "DELETE", "/todo/3", ""), http.StatusNoContent)
	if got := create(); got != 4 {
		t.Fatalf("id after a delete %d, want 4", got)
	}
}

// TestCRUDSequence runs the field scenario (create, read, update with the
// item echoed back, delete) and then checks that the item is gone.
func TestCRUDSequence(t *testing.T) {
	s := newTestServer(t, Options{})
	w := serveOne(s, "POST", "/todo", `{"Description": "lorem ipsum", "Completed": false}`)
	mustStatus(t, w, http.StatusCreated)
	var item Item
	if err := json.Unmarshal(w.Body.Bytes(), &item); err != nil {
		t.Fatal(err)
	}
	path := "/todo/" + strconv.FormatInt(item.ID, 10)
	mustStatus(t, serveOne(s, "GET", path, ""), http.StatusOK)
	item.Completed = true
	echoed, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	w = serveOne(s, "PUT", path, string(echoed))
	mustStatus(t, w, http.StatusOK)
	assertSameJSON(t, w.Body.String(), string(echoed))
	mustStatus(t, serveOne(s, "DELETE", path, ""), http.StatusNoContent)
	mustStatus(t, serveOne(s, "GET", path, ""), http.StatusNotFound)
	mustStatus(t, serveOne(s, "DELETE", path, ""), http.StatusNotFound)

	assertStats(t, s.Stats(), Stats{
		Routes: map[string]map[string]int64{
			"POST /todo":        {"201": 1},
			"GET /todo/{id}":    {"200": 1, "404": 1},
			"PUT /todo/{id}":    {"200": 1},
			"DELETE /todo/{id}": {"204": 1, "404": 1},
		},
		Total: 6,
	})
}

// assertSameJSON fails unless got and want hold the same JSON value.
func assertSameJSON(t *testing.T, got, want string) {
	t.Helper()
	var gotValue, wantValue any
	if err := json.Unmarshal([]byte(got), &gotValue); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &wantValue); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	gotText, _ := json.Marshal(gotValue)
	wantText, _ := json.Marshal(wantValue)
	if string(gotText) != string(wantText) {
		t.Errorf("body %s, want %s", gotText, wantText)
	}
}

// assertStats fails unless got equals want.
func assertStats(t testing.TB, got, want Stats) {
	t.Helper()
	equal := got.Total == want.Total && got.Items == want.Items &&
		maps.EqualFunc(got.Routes, want.Routes, maps.Equal)
	if !equal {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}
