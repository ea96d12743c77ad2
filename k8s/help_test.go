package k8s

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// helpFlagLine matches a flag line of `stampede <command> --help`:
//
//	--listen string   STAMPEDE_LISTEN   address of the API ... (default 127.0.0.1:8089)
var (
	helpFlagLine = regexp.MustCompile(`^\s+--[a-z0-9-]+\s.*?\b(STAMPEDE_[A-Z0-9_]+)\b`)
	helpDefault  = regexp.MustCompile(`\(default ([^)]*)\)\s*$`)
)

// parseHelp returns each env var a command's help lists, with its default
// ("" when the help names none).
func parseHelp(help string) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(help))
	for sc.Scan() {
		m := helpFlagLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		def := ""
		if d := helpDefault.FindStringSubmatch(sc.Text()); d != nil {
			def = d[1]
		}
		vars[m[1]] = def
	}
	return vars
}

// commandVars runs `stampede <command> --help` on the binary TestMain built
// and parses its env vars: the fields of that command's config struct.
func commandVars(t *testing.T, command string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// --help may exit non-zero (flag.ErrHelp); the text is what counts.
	out, _ := exec.CommandContext(ctx, stampedeBinary, command, "--help").CombinedOutput()
	vars := parseHelp(string(out))
	if len(vars) == 0 {
		t.Fatalf("stampede %s --help lists no STAMPEDE_* variables:\n%s", command, out)
	}
	return vars
}

func TestParseHelp(t *testing.T) {
	help := `Flags (each also read from its environment variable; a flag wins):
  --listen string                STAMPEDE_LISTEN              address of the API (default 127.0.0.1:8089)
  --api-token string             STAMPEDE_API_TOKEN           when set, mutating API calls need 'Authorization: Bearer <token>'
  --max-users int                STAMPEDE_MAX_USERS           refuse runs with more users than this; 0 for no cap
Every flag is also an environment variable STAMPEDE_<FLAG> (flags win).
`
	want := map[string]string{"STAMPEDE_LISTEN": "127.0.0.1:8089", "STAMPEDE_API_TOKEN": "", "STAMPEDE_MAX_USERS": ""}
	got := parseHelp(help)
	if len(got) != len(want) {
		t.Fatalf("parseHelp = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parseHelp[%s] = %q, want %q", k, got[k], v)
		}
	}
}

func FuzzParseHelp(f *testing.F) {
	f.Add("  --listen string  STAMPEDE_LISTEN  address (default :8089)\n")
	f.Add("  --x  STAMPEDE_X  (default (a)\n")
	f.Fuzz(func(t *testing.T, help string) {
		for name := range parseHelp(help) {
			if !strings.HasPrefix(name, "STAMPEDE_") {
				t.Fatalf("parsed %q, not a STAMPEDE_ variable", name)
			}
		}
	})
}
