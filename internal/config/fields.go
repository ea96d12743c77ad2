package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// EnvPrefix starts the name of every variable a setting reads.
const EnvPrefix = "STAMPEDE_"

// Field describes one setting of a config struct.
type Field struct {
	Env     string // STAMPEDE_USERS
	Flag    string // users
	Default string // from the envDefault tag
	Help    string // from the help tag
	Kind    string // what a value looks like, for --help: int, duration, ...
	Name    string // the Go field name, as caarlos0/env reports it in errors
	isBool  bool
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Fields lists the settings of cfg, a pointer to a struct whose fields carry
// env tags; embedded structs are walked, so commands can share groups.
func Fields(cfg any) ([]Field, error) {
	t := reflect.TypeOf(cfg)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: want a pointer to a struct, got %T", cfg)
	}
	var fields []Field
	seen := map[string]string{}
	for _, sf := range reflect.VisibleFields(t.Elem()) {
		key, ok := sf.Tag.Lookup("env")
		if !ok || sf.Anonymous {
			continue
		}
		key, _, _ = strings.Cut(key, ",")
		if !strings.HasPrefix(key, EnvPrefix) {
			return nil, fmt.Errorf("config: field %s: variable %q does not start with %s", sf.Name, key, EnvPrefix)
		}
		flagName := sf.Tag.Get("flag")
		if flagName == "" {
			flagName = strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(key, EnvPrefix)), "_", "-")
		}
		if other, dup := seen[flagName]; dup {
			return nil, fmt.Errorf("config: fields %s and %s both use --%s", other, sf.Name, flagName)
		}
		seen[flagName] = sf.Name
		fields = append(fields, Field{
			Env:     key,
			Flag:    flagName,
			Default: sf.Tag.Get("envDefault"),
			Help:    sf.Tag.Get("help"),
			Kind:    kindOf(sf.Type),
			Name:    sf.Name,
			isBool:  sf.Type.Kind() == reflect.Bool,
		})
	}
	return fields, nil
}

// kindOf names what a value of t looks like, for --help and for errors.
func kindOf(t reflect.Type) string {
	if t.Kind() == reflect.Pointer { // optional: nil when not given
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return "duration"
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return "value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list"
	}
	return "string"
}

// want says in words what a value of a kind must look like.
func want(kind string) string {
	switch kind {
	case "duration":
		return "want a duration such as 500ms, 30s or 1m30s"
	case "bool":
		return "want true or false"
	case "int":
		return "want a whole number"
	case "number":
		return "want a number"
	}
	return "invalid value"
}
