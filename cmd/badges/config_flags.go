package main

import (
	"flag"
	"fmt"
	"io"
)

// flagValue keeps a flag's text until every source is known, so that flags,
// environment and file share one parser per setting.
type flagValue struct {
	text   string
	set    bool
	isBool bool
}

func (f *flagValue) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

func (f *flagValue) Set(s string) error {
	f.text, f.set = s, true
	return nil
}

// IsBoolFlag lets a boolean setting be given as -show-messages alone.
func (f *flagValue) IsBoolFlag() bool { return f.isBool }

func newFlagSet(out io.Writer) (*flag.FlagSet, map[string]*flagValue) {
	fs := flag.NewFlagSet("badges", flag.ContinueOnError)
	fs.SetOutput(out)
	flags := make(map[string]*flagValue, len(settings)+1)
	flags[configSetting] = &flagValue{}
	fs.Var(flags[configSetting], configSetting, "TOML `file` of settings")
	for _, s := range settings {
		// The default as initial text makes PrintDefaults show it.
		flags[s.name] = &flagValue{text: s.def, isBool: s.kind == kindBool}
		fs.Var(flags[s.name], s.name, s.usage)
	}
	return fs, flags
}

// writeUsage prints the command line, where settings come from, and every flag.
func writeUsage(w io.Writer) {
	fs, _ := newFlagSet(w)
	fmt.Fprint(w, usageHead)
	fs.PrintDefaults()
}

const usageHead = `Usage:
  badges [serve] [flags]   serve badges, APIs and pages
  badges token JID         print a user token
  badges sign JID          print the sig value for -visibility=signed
  badges migrate -data DIR -redis URL
                           copy the embedded store into Redis (records there already are kept)
  badges version

Every flag -foo-bar can also be set by the environment variable
BADGES_FOO_BAR or by the key foo-bar in the TOML file named by -config
(or BADGES_CONFIG). A flag beats the environment, which beats the file,
which beats the default; an empty environment variable counts as unset.

Lists are comma-separated in flags and the environment, arrays in the
file. Except -api-keys: its keys are separated by white space, because a
key's own syntax contains commas.

Secrets can also be read from a file: BADGES_XMPP_PASSWORD_FILE,
BADGES_TOKEN_SECRET_FILE, BADGES_API_KEYS_FILE (one key per line, # starts
a comment line). Giving both BADGES_X and BADGES_X_FILE is an error.

Flags:
`
