// Package config binds a command's settings struct to STAMPEDE_* environment
// variables (parsed by caarlos0/env) and to command-line flags of the same
// name: STAMPEDE_SPAWN_RATE is also --spawn-rate, and a flag wins over its
// variable. Every setting is declared once, as a struct field with the tags
//
//	env:"STAMPEDE_USERS" envDefault:"10" help:"virtual users to run"
//
// so the variables, the flags, the defaults and --help cannot drift apart.
// A bad value fails with the variable or flag named, and the value.
package config
