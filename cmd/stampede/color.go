package main

import (
	"io"
	"strings"
)

// colorOn reports whether to colour output to w: only on a terminal, and
// never when NO_COLOR is set to anything (https://no-color.org).
func colorOn(w io.Writer, environ []string) bool {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return false
		}
	}
	return isTerminal(w)
}

// verdict is PASS or FAIL, green or red when color is on.
func verdict(passed, color bool) string {
	text, code := "PASS", "\033[32m"
	if !passed {
		text, code = "FAIL", "\033[31m"
	}
	if !color {
		return text
	}
	return code + text + "\033[0m"
}
