package guard_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/internal/guard"
)

func TestParseRejectsBadEntries(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "*.", "a..b", "http://x", "x*y.com", "300.1.1.1/8"} {
		if _, err := guard.Parse(bad); err == nil || !strings.Contains(err.Error(), "allowed targets") {
			t.Errorf("Parse(%q) = %v, want an error naming it", bad, err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	a, err := guard.Parse("*.staging.example.com, localhost, 127.0.0.0/8, 10.1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://api.staging.example.com/x", true},
		{"https://a.b.staging.example.com", true},
		{"http://localhost:8080", true},
		{"http://127.0.0.1:9", true},
		{"http://127.200.0.1", true},
		{"http://10.1.2.3", true},
		{"http://10.1.2.4", false},
		{"http://[::1]:80", false},
		{"http://example.com", true}, // a name: the dial check resolves it against the CIDRs
		{"not a url", false},
	}
	for _, tt := range tests {
		err := a.CheckURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if err != nil && tt.url != "not a url" && (!errors.Is(err, guard.ErrNotAllowed) || !strings.Contains(err.Error(), tt.url)) {
			t.Errorf("CheckURL(%q) = %v: want ErrNotAllowed naming the URL", tt.url, err)
		}
	}
	names, _ := guard.Parse("*.staging.example.com")
	if err := names.CheckURL("http://staging.example.com"); !errors.Is(err, guard.ErrNotAllowed) {
		t.Errorf("*.staging.example.com allowed staging.example.com itself: %v", err)
	}
	if err := names.CheckURL("http://127.0.0.1"); !errors.Is(err, guard.ErrNotAllowed) {
		t.Errorf("a names-only list allowed an address: %v", err)
	}
	open, _ := guard.Parse("")
	if !open.Open() || open.CheckURL("http://anything.example") != nil {
		t.Error("an empty list must allow everything")
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := f[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestDialChecksTheResolvedAddress(t *testing.T) {
	a, _ := guard.Parse("127.0.0.0/8, allowed.test")
	var dialled []string
	dial := a.Dial(func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, errors.New("stop here")
	}, fakeResolver{
		"inside.test":  {netip.MustParseAddr("127.0.0.5")},
		"outside.test": {netip.MustParseAddr("127.0.0.5"), netip.MustParseAddr("192.0.2.1")},
	})
	tests := []struct {
		addr, dialled string
		refused       bool
	}{
		{"127.0.0.1:80", "127.0.0.1:80", false},
		{"allowed.test:443", "allowed.test:443", false},
		{"inside.test:80", "127.0.0.5:80", false}, // dialled by the checked address
		{"outside.test:80", "", true},             // one address outside: refused
		{"192.0.2.1:80", "", true},
	}
	for _, tt := range tests {
		dialled = nil
		_, err := dial(context.Background(), "tcp", tt.addr)
		if refused := errors.Is(err, guard.ErrNotAllowed); refused != tt.refused {
			t.Errorf("dial %s: err %v, want refused=%v", tt.addr, err, tt.refused)
		}
		if !tt.refused && (len(dialled) != 1 || dialled[0] != tt.dialled) {
			t.Errorf("dial %s dialled %v, want %s", tt.addr, dialled, tt.dialled)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"*.a.com,10.0.0.0/8", "localhost", "::1", "fe80::/10", ",,", "*.*"} {
		f.Add(s, "http://127.0.0.1/")
	}
	f.Fuzz(func(t *testing.T, list, target string) {
		a, err := guard.Parse(list)
		if err != nil {
			return
		}
		_ = a.CheckURL(target) // must not panic
	})
}
