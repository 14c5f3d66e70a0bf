package presence

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Field is one part of a presence that a user may hide and an operator may
// leave unshared (docs/API.md#rich-presence).
type Field uint16

// The fields, in the order they are listed.
const (
	FieldMessage Field = 1 << iota
	FieldName
	FieldAvatar
	FieldTune
	FieldMood
	FieldActivity
	FieldDevices
	FieldIdle
)

var fieldNames = []struct {
	f    Field
	name string
}{
	{FieldMessage, "message"}, {FieldName, "name"}, {FieldAvatar, "avatar"}, {FieldTune, "tune"},
	{FieldMood, "mood"}, {FieldActivity, "activity"}, {FieldDevices, "devices"}, {FieldIdle, "idle"},
}

func (f Field) String() string {
	for _, n := range fieldNames {
		if n.f == f {
			return n.name
		}
	}
	return fmt.Sprintf("field(%d)", uint16(f))
}

// ParseField returns the field called name ("tune").
func ParseField(name string) (Field, bool) {
	for _, n := range fieldNames {
		if n.name == name {
			return n.f, true
		}
	}
	return 0, false
}

// FieldSet is a set of fields.
type FieldSet uint16

// AllFields holds every field.
const AllFields FieldSet = 1<<len8 - 1

const len8 = 8 // the number of fields

// NoFields is a set that holds no field but, unlike the zero FieldSet, is
// not replaced by a default: an operator who shares nothing.
const NoFields FieldSet = 1 << 15

// DefaultShare is what an operator shares unless -share says otherwise: all.
const DefaultShare = AllFields

// Has reports whether f is in s.
func (s FieldSet) Has(f Field) bool { return s&FieldSet(f) != 0 }

// With returns s with f added.
func (s FieldSet) With(f Field) FieldSet { return s | FieldSet(f) }

// Without returns s with f removed.
func (s FieldSet) Without(f Field) FieldSet { return s &^ FieldSet(f) }

// Fields lists the fields in s, in their order.
func (s FieldSet) Fields() []Field {
	var out []Field
	for _, n := range fieldNames {
		if s.Has(n.f) {
			out = append(out, n.f)
		}
	}
	return out
}

// String lists the names of the fields in s, comma-separated.
func (s FieldSet) String() string {
	names := make([]string, 0, len8)
	for _, f := range s.Fields() {
		names = append(names, f.String())
	}
	return strings.Join(names, ",")
}

// ParseFieldSet parses a comma-separated list of field names; "none" (or
// an empty list) is NoFields and "all" every field.
func ParseFieldSet(list string) (FieldSet, error) {
	var s FieldSet
	for part := range strings.SplitSeq(list, ",") {
		part = strings.TrimSpace(part)
		switch part {
		case "", "none":
			continue
		case "all":
			s |= AllFields
			continue
		}
		f, ok := ParseField(part)
		if !ok {
			return 0, fmt.Errorf("unknown field %q (want a list of: %s, or all, or none)", part, AllFields)
		}
		s = s.With(f)
	}
	if s == 0 {
		return NoFields, nil
	}
	return s, nil
}

// MarshalJSON writes the set as a list of names.
func (s FieldSet) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len8)
	for _, f := range s.Fields() {
		names = append(names, f.String())
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads a list of names; names it does not know are ignored,
// so that a record written by a newer version still loads.
func (s *FieldSet) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	*s = 0
	for _, n := range names {
		if f, ok := ParseField(n); ok {
			*s = s.With(f)
		}
	}
	return nil
}
