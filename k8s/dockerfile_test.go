package k8s

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	keyword string // upper-cased: FROM, RUN, ...
	args    string
}

// parseDockerfile reads instructions, skipping comments and joining lines
// that end in a backslash. Enough for the checks here, not a full parser.
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSpace(strings.TrimSuffix(line, `\`)) + " ")
			continue
		}
		cur.WriteString(line)
		keyword, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, instruction{keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

var goDirective = regexp.MustCompile(`(?m)^go (\S+)$`)

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := goDirective.FindStringSubmatch(string(gomod))
	if goVersion == nil {
		t.Fatal("go.mod has no go directive")
	}
	var stages [][]instruction
	for _, in := range parseDockerfile(string(data)) {
		if in.keyword == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			if in.keyword != "ARG" {
				t.Errorf("%s before the first FROM", in.keyword)
			}
			continue
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want 2 (build, then the distroless runtime)", len(stages))
	}
	build, final := stages[0], stages[1]
	if want := "--platform=$BUILDPLATFORM golang:" + goVersion[1] + " AS build"; build[0].args != want {
		t.Errorf("build stage FROM %q, want %q (cross-compile on the build platform with go.mod's Go)", build[0].args, want)
	}
	has := func(stage []instruction, keyword, args string) bool {
		for _, in := range stage {
			if in.keyword == keyword && strings.Contains(in.args, args) {
				return true
			}
		}
		return false
	}
	for _, arg := range []string{"TARGETOS", "TARGETARCH"} {
		if !has(build, "ARG", arg) {
			t.Errorf("build stage lacks ARG %s (multi-arch through buildx)", arg)
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH", "./cmd/stampede"} {
		if !has(build, "RUN", want) {
			t.Errorf("build stage has no RUN with %s", want)
		}
	}
	if !strings.HasPrefix(final[0].args, "gcr.io/distroless/static") || !strings.HasSuffix(final[0].args, ":nonroot") {
		t.Errorf("runtime stage FROM %q, want distroless static, nonroot tag", final[0].args)
	}
	if !has(final, "COPY", "--from=build") {
		t.Error("runtime stage does not copy the binary from the build stage")
	}
	if !has(final, "USER", "nonroot") {
		t.Error("runtime stage has no USER nonroot")
	}
	if !has(final, "ENTRYPOINT", `["/usr/local/bin/stampede"]`) {
		t.Error(`runtime stage ENTRYPOINT is not ["/usr/local/bin/stampede"] (on PATH, so kubectl exec ... stampede ctl works)`)
	}

	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(ignore), "\n") {
		switch strings.TrimSpace(line) {
		case "go.mod", "go.sum", "cmd", "*.go", "*":
			t.Errorf(".dockerignore excludes %q, which the build needs", line)
		}
	}
}

func TestParseDockerfile(t *testing.T) {
	got := parseDockerfile("# c\nFROM a AS b\nRUN x \\\n    y\n\nUSER nonroot\n")
	want := []instruction{{"FROM", "a AS b"}, {"RUN", "x y"}, {"USER", "nonroot"}}
	if len(got) != len(want) {
		t.Fatalf("parseDockerfile = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("instruction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func FuzzParseDockerfile(f *testing.F) {
	f.Add("FROM a\nRUN b \\\n c\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, in := range parseDockerfile(text) {
			if in.keyword != strings.ToUpper(in.keyword) {
				t.Fatalf("keyword %q not upper-cased", in.keyword)
			}
		}
	})
}
