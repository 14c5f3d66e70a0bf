package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// loadConfig builds the configuration from args (the command line after the
// program name and subcommand), the environment read through getenv, and the
// TOML file named by -config or BADGES_CONFIG. For each setting the first
// source that gives it wins: flag, environment (a secret also from its _FILE
// variable), file, default. An empty environment variable counts as unset.
//
// Flag parsing stops at the first argument that is not a flag; the rest are
// in Config.Args. For -h or -help the error is flag.ErrHelp: print
// writeUsage and exit 0. Any other error is one line naming the setting.
func loadConfig(args []string, getenv func(string) string) (Config, error) {
	return loadConfigFrom(args, getenv, os.ReadFile)
}

// loadConfigFrom is loadConfig reading files through readFile, so that tests
// and fuzzing need no files on disk.
func loadConfigFrom(args []string, getenv func(string) string, readFile func(string) ([]byte, error)) (Config, error) {
	c, err := load(args, getenv, readFile)
	if err != nil {
		return Config{}, lineError{err}
	}
	return c, nil
}

func load(args []string, getenv func(string) string, readFile func(string) ([]byte, error)) (Config, error) {
	fs, flags := newFlagSet(io.Discard)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	c := Config{Args: fs.Args()}
	if f := flags[configSetting]; f.set {
		c.ConfigFile = f.text
	} else {
		c.ConfigFile = getenv(envName(configSetting))
	}
	var doc map[string]any
	if c.ConfigFile != "" {
		var err error
		if doc, err = readTOML(c.ConfigFile, readFile); err != nil {
			return Config{}, err
		}
	}
	for _, s := range settings {
		v, src, err := resolve(s, flags[s.name], getenv, readFile, doc)
		if err != nil {
			return Config{}, invalid(s, src, nil, c.ConfigFile, err)
		}
		if err := s.apply(&c, v); err != nil {
			return Config{}, invalid(s, src, &v, c.ConfigFile, err)
		}
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// source is where a setting's value came from.
type source int

const (
	fromDefault source = iota
	fromFlag
	fromEnv
	fromEnvFile // the file named by the _FILE variable of a secret
	fromTOML
)

// resolve finds the value of s in the first source that gives it.
func resolve(s setting, f *flagValue, getenv func(string) string, readFile func(string) ([]byte, error), doc map[string]any) (value, source, error) {
	if f.set {
		return textValue(s, f.text), fromFlag, nil
	}
	text := getenv(envName(s.name))
	if s.secret {
		if name := getenv(envName(s.name) + "_FILE"); name != "" {
			if text != "" {
				return value{}, fromEnvFile, fmt.Errorf("%s is set too: give one of them", envName(s.name))
			}
			data, err := readFile(name)
			if err != nil {
				return value{}, fromEnvFile, err
			}
			return fileValue(s, string(data)), fromEnvFile, nil
		}
	}
	if text != "" {
		return textValue(s, text), fromEnv, nil
	}
	if raw, ok := doc[s.name]; ok {
		v, err := tomlValue(s, raw)
		return v, fromTOML, err
	}
	return textValue(s, s.def), fromDefault, nil
}

// textValue reads a value written as a flag or environment variable.
// Secrets keep their white space: it may be part of a password.
func textValue(s setting, text string) value {
	switch s.kind {
	case kindList:
		return value{items: cleanItems(strings.Split(text, ","))}
	case kindKeys:
		return value{items: cleanItems(strings.Fields(text))}
	}
	if !s.secret {
		text = strings.TrimSpace(text)
	}
	return value{text: text}
}

// fileValue reads a secret from its _FILE: without the trailing newline
// editors add, and for API keys one per line with # comment lines.
func fileValue(s setting, data string) value {
	if s.kind != kindKeys {
		return value{text: strings.TrimRight(data, "\r\n")}
	}
	var keys []string
	for line := range strings.Lines(data) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			keys = append(keys, line)
		}
	}
	return value{items: keys}
}

// tomlValue reads a value from the TOML file, which must have the type the
// setting's kind calls for.
func tomlValue(s setting, raw any) (value, error) {
	switch s.kind {
	case kindBool:
		if b, ok := raw.(bool); ok {
			return value{text: fmt.Sprint(b)}, nil
		}
		return value{}, fmt.Errorf("want a boolean, got %s", tomlType(raw))
	case kindList, kindKeys:
		arr, ok := raw.([]any)
		if !ok {
			return value{}, fmt.Errorf("want an array of strings, got %s", tomlType(raw))
		}
		items := make([]string, len(arr))
		for i, e := range arr {
			if items[i], ok = e.(string); !ok {
				return value{}, fmt.Errorf("want an array of strings, item %d is %s", i+1, tomlType(e))
			}
		}
		return value{items: cleanItems(items)}, nil
	}
	if s.kind == kindNumber {
		switch n := raw.(type) {
		case int64:
			return value{text: strconv.FormatInt(n, 10)}, nil
		case float64:
			return value{text: strconv.FormatFloat(n, 'g', -1, 64)}, nil
		case string:
		default:
			return value{}, fmt.Errorf("want a number or a string, got %s", tomlType(raw))
		}
	}
	str, ok := raw.(string)
	if !ok {
		return value{}, fmt.Errorf("want a string, got %s", tomlType(raw))
	}
	if !s.secret {
		str = strings.TrimSpace(str)
	}
	return value{text: str}, nil
}

// cleanItems trims list items and drops empty ones, so that "a, b," is [a b].
func cleanItems(items []string) []string {
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

// readTOML reads the config file into a map, refusing keys that are not
// settings: a misspelt key would otherwise be silently ignored.
func readTOML(name string, readFile func(string) ([]byte, error)) (map[string]any, error) {
	data, err := readFile(name)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, fmt.Errorf("config file %s: %w", name, err)
	}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if k == configSetting {
			return nil, fmt.Errorf("config file %s: key %q cannot be set in the file itself", name, k)
		}
		if !slices.ContainsFunc(settings, func(s setting) bool { return s.name == k }) {
			return nil, fmt.Errorf("config file %s: unknown key %q", name, k)
		}
	}
	return doc, nil
}

// invalid names the setting as the user gave it, and its value v if there is
// one, unless it is a list (the parser names the bad item) or a secret.
func invalid(s setting, src source, v *value, file string, err error) error {
	var name string
	switch src {
	case fromFlag:
		name = "-" + s.name
	case fromEnv:
		name = envName(s.name)
	case fromEnvFile:
		name = envName(s.name) + "_FILE"
	case fromTOML:
		name = s.name
	case fromDefault:
		name = "default of -" + s.name
	}
	if v != nil && !s.secret && (s.kind == kindText || s.kind == kindBool || s.kind == kindNumber) {
		name += fmt.Sprintf(" %q", v.text)
	}
	if src == fromTOML {
		name += " in " + file
	}
	return fmt.Errorf("invalid %s: %w", name, err)
}

// lineError prints err on one line and keeps its chain for errors.Is: main
// prints a configuration error as the single line docs/API.md#configuration promises, and
// messages of libraries (TOML syntax errors among them) may span several.
type lineError struct{ err error }

func (e lineError) Error() string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, e.err.Error())
}

func (e lineError) Unwrap() error { return e.err }
