package demotarget

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestServer returns a Server with opts, failing the test on an error.
func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	return s
}

// serveOne sends one request straight to s's handler and returns the
// recorded response.
func serveOne(s *Server, method, path, body string) *httptest.ResponseRecorder {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, reader)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// mustStatus fails the test unless the response has the status.
func mustStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body %q", w.Code, want, w.Body.String())
	}
}
