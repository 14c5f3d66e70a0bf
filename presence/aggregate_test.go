package presence

import (
	"maps"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func TestBest(t *testing.T) {
	tests := []struct {
		name      string
		resources map[string]Resource
		want      string // Message of the winner; "" with ok false for none
	}{
		{"none", nil, ""},
		{"one", map[string]Resource{"a": {Status: Away, Message: "a", Changed: at(1)}}, "a"},
		{"priority wins over recency", map[string]Resource{
			"phone": {Status: Away, Message: "phone", Priority: 0, Changed: at(9)},
			"desk":  {Status: Available, Message: "desk", Priority: 5, Changed: at(1)},
		}, "desk"},
		{"negative priority loses", map[string]Resource{
			"bot":  {Status: DND, Message: "bot", Priority: -1, Changed: at(9)},
			"desk": {Status: Available, Message: "desk", Priority: 0, Changed: at(1)},
		}, "desk"},
		{"tie on priority: most recent", map[string]Resource{
			"a": {Status: Away, Message: "a", Priority: 1, Changed: at(1)},
			"b": {Status: DND, Message: "b", Priority: 1, Changed: at(3)},
			"c": {Status: XA, Message: "c", Priority: 1, Changed: at(2)},
		}, "b"},
		{"full tie: first resource name", map[string]Resource{
			"b": {Status: DND, Message: "b", Changed: at(1)},
			"a": {Status: Away, Message: "a", Changed: at(1)},
			"c": {Status: XA, Message: "c", Changed: at(1)},
		}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Map order is random: ask often enough to see a second answer.
			for range 50 {
				got, ok := Best(tt.resources)
				if ok != (tt.want != "") || got.Message != tt.want {
					t.Fatalf("Best = %+v, %v; want %q", got, ok, tt.want)
				}
			}
		})
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name    string
		sources map[Source]SourceState
		want    SourceState
	}{
		{"no source", nil, SourceState{Status: Unknown}},
		{"one online", map[Source]SourceState{
			SourceXMPP: {Status: Away, Message: "x", Changed: at(1)},
		}, SourceState{Status: Away, Message: "x", Changed: at(1)}},
		{"most recent online wins", map[Source]SourceState{
			SourceXMPP: {Status: Away, Message: "x", Changed: at(1)},
			SourceHTTP: {Status: DND, Message: "h", Changed: at(2)},
		}, SourceState{Status: DND, Message: "h", Changed: at(2)}},
		{"online beats a more recent offline", map[Source]SourceState{
			SourceXMPP: {Status: Available, Message: "x", Changed: at(1)},
			SourceHTTP: {Status: Offline, Message: "h", Changed: at(2)},
		}, SourceState{Status: Available, Message: "x", Changed: at(1)}},
		{"online beats unknown", map[Source]SourceState{
			SourceXMPP: {Status: Unknown, Changed: at(3)},
			SourceHTTP: {Status: XA, Message: "h", Changed: at(2)},
		}, SourceState{Status: XA, Message: "h", Changed: at(2)}},
		{"all offline: offline, most recent message", map[Source]SourceState{
			SourceXMPP: {Status: Offline, Message: "x", Changed: at(1)},
			SourceHTTP: {Status: Offline, Message: "h", Changed: at(2)},
		}, SourceState{Status: Offline, Message: "h", Changed: at(2)}},
		{"offline and unknown: unknown", map[Source]SourceState{
			SourceXMPP: {Status: Unknown, Changed: at(1)},
			SourceHTTP: {Status: Offline, Message: "h", Changed: at(2)},
		}, SourceState{Status: Unknown, Changed: at(2)}},
		{"only unknown", map[Source]SourceState{
			SourceXMPP: {Status: Unknown, Changed: at(1)},
		}, SourceState{Status: Unknown, Changed: at(1)}},
		{"online tie: first source name", map[Source]SourceState{
			SourceXMPP: {Status: Away, Message: "x", Changed: at(1)},
			SourceHTTP: {Status: DND, Message: "h", Changed: at(1)},
		}, SourceState{Status: DND, Message: "h", Changed: at(1)}},
		{"offline tie: first source name", map[Source]SourceState{
			SourceXMPP: {Status: Offline, Message: "x", Changed: at(1)},
			SourceHTTP: {Status: Offline, Message: "h", Changed: at(1)},
		}, SourceState{Status: Offline, Message: "h", Changed: at(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				if got := Merge(maps.All(tt.sources)); got != tt.want {
					t.Fatalf("Merge = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}
