package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseStages(t *testing.T) {
	cases := []struct {
		in   string
		want []Stage
		err  string // part of the error
	}{
		{"30s:100,1m:100,30s:0", []Stage{{30 * time.Second, 100}, {time.Minute, 100}, {30 * time.Second, 0}}, ""},
		{" 1m30s : 2.5 , 10s:0 ", []Stage{{90 * time.Second, 2.5}, {10 * time.Second, 0}}, ""},
		{"", nil, ""},
		{"  ", nil, ""},
		{"30s", nil, `stage 1 "30s": want duration:target`},
		{"30s:100,1x:5", nil, `stage 2 "1x:5": duration "1x" is not a duration`},
		{"0s:5", nil, `stage 1 "0s:5": duration "0s" must be greater than 0`},
		{"-5s:5", nil, `stage 1 "-5s:5": duration "-5s" must be greater than 0`},
		{"5s:-1", nil, `stage 1 "5s:-1": target "-1" must not be negative`},
		{"5s:abc", nil, `target "abc" is not a number`},
		{"5s:NaN", nil, `target "NaN" is not a number`},
		{"5s:Inf", nil, `target "Inf" is not a number`},
		{"5s:1,", nil, `stage 2 "": want duration:target`},
		{"5s:1:2", nil, `target "1:2" is not a number`},
	}
	for _, tc := range cases {
		got, err := ParseStages(tc.in)
		switch {
		case tc.err == "" && (err != nil || !reflect.DeepEqual(got, tc.want)):
			t.Errorf("ParseStages(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseStages(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
}
