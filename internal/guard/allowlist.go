package guard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Allowlist is a set of allowed destinations. The zero value allows
// everything (no STAMPEDE_ALLOWED_TARGETS set).
type Allowlist struct {
	patterns []string // lower case; "*.example.com" matches any subdomain, "example.com" only itself
	prefixes []netip.Prefix
	raw      string
}

// Parse reads a comma-separated list of host patterns and CIDRs, e.g.
// "*.staging.example.com, localhost, 10.0.0.0/8, 127.0.0.0/8". A bare IP
// means that address alone. The error names the bad entry.
func Parse(s string) (Allowlist, error) {
	a := Allowlist{raw: strings.TrimSpace(s)}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		switch {
		case entry == "":
			continue
		case strings.Contains(entry, "/"):
			p, err := netip.ParsePrefix(entry)
			if err != nil {
				return Allowlist{}, fmt.Errorf("allowed targets: %q is not a CIDR such as 10.0.0.0/8", entry)
			}
			a.prefixes = append(a.prefixes, p.Masked())
		default:
			if ip, err := netip.ParseAddr(entry); err == nil {
				a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
				continue
			}
			if !validPattern(entry) {
				return Allowlist{}, fmt.Errorf("allowed targets: %q is neither a host name, a *.domain pattern, an IP nor a CIDR", entry)
			}
			a.patterns = append(a.patterns, entry)
		}
	}
	return a, nil
}

// UnmarshalText lets configuration parse an Allowlist.
func (a *Allowlist) UnmarshalText(b []byte) error {
	parsed, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = parsed
	return nil
}

// String is the list as given.
func (a Allowlist) String() string { return a.raw }

// Open reports whether the list allows everything (nothing was set).
func (a Allowlist) Open() bool { return len(a.patterns) == 0 && len(a.prefixes) == 0 }

func validPattern(p string) bool {
	p = strings.TrimPrefix(p, "*.")
	if p == "" || strings.ContainsAny(p, "*:/ ") {
		return false
	}
	for _, label := range strings.Split(p, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

// ErrNotAllowed is what every refusal wraps.
var ErrNotAllowed = errors.New("not in the allowed targets")

// hostAllowed reports whether a host name or IP literal is allowed without
// resolving it.
func (a Allowlist) hostAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(host); err == nil {
		return a.ipAllowed(ip)
	}
	for _, p := range a.patterns {
		if suffix, ok := strings.CutPrefix(p, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == p {
			return true
		}
	}
	return false
}

func (a Allowlist) ipAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckURL refuses a URL whose host the list does not allow by name or
// address. A host name that only a CIDR could allow passes here; the dial
// check decides once it is resolved.
func (a Allowlist) CheckURL(raw string) error {
	if a.Open() {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("target %q: not an absolute URL", raw)
	}
	host := u.Hostname()
	if a.hostAllowed(host) {
		return nil
	}
	if _, err := netip.ParseAddr(host); err != nil && len(a.prefixes) > 0 {
		return nil // a name: allowed if it resolves into a CIDR, checked when dialled
	}
	return fmt.Errorf("target %s: %w (%s)", raw, ErrNotAllowed, a.raw)
}

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc is the shape of net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Dial wraps dial so that every connection goes only where the list
// allows: a host allowed by name is dialled as is; otherwise its addresses
// must all fall in the CIDRs, and the first is dialled directly.
func (a Allowlist) Dial(dial DialFunc, resolver Resolver) DialFunc {
	if a.Open() {
		return dial
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if a.hostAllowed(host) {
			return dial(ctx, network, addr)
		}
		if _, err := netip.ParseAddr(host); err == nil || len(a.prefixes) == 0 {
			return nil, fmt.Errorf("dial %s: %w (%s)", addr, ErrNotAllowed, a.raw)
		}
		ips, err := resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		for _, ip := range ips {
			if !a.ipAllowed(ip) {
				return nil, fmt.Errorf("dial %s: %s resolves to %s: %w (%s)", addr, host, ip, ErrNotAllowed, a.raw)
			}
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("dial %s: no address for %s", addr, host)
		}
		return dial(ctx, network, net.JoinHostPort(ips[0].String(), port))
	}
}
