// Package templates renders the HTML pages of docs/API.md#pages: the badge builder,
// the iframe embeds and the dashboards. Components take view structs only;
// the web package fills them and adds the headers.
package templates

import "strconv"

// Assets are the content-hashed URLs of the static files a page loads.
type Assets struct {
	CSS     string
	Widget  string
	Page    string
	Builder string
}

// Page is what every page shares.
type Page struct {
	Title string
	// Description is the page's summary for search engines and link
	// previews (<meta name="description">).
	Description string
	Assets      Assets
	// Theme is "light", "dark" or "auto" (follow the reader's preference).
	Theme string
}

// Card is one JID or room as a page first shows it; the page's script then
// follows it live.
type Card struct {
	// Kind is "jid" or "room".
	Kind string
	Name string
	// Display is Name as a person should read it: a confusable domain in
	// its ASCII form (docs/API.md#deployment).
	Display string
	// Sig vouches for the topic under signed visibility.
	Sig string
	// Status is a presence status name; rooms use "available" when occupied.
	Status  string
	Word    string
	Message string
	// Rich presence of a JID (docs/API.md#rich-presence); an empty field
	// is a line not shown, until the page's script fills it.
	//
	// Person is the user's name; the card then shows Name under it.
	Person string
	// Avatar is the picture's URL on this server, else Placeholder.
	Avatar string
	// Placeholder is the avatar placeholder as a data: URI.
	Placeholder string
	Tune        string
	Mood        string
	Devices     string
	// IdleSince and LastSeen are RFC 3339 times, from which the script
	// words When again as the clock moves; When is worded at answer time.
	IdleSince string
	LastSeen  string
	When      string
}

// EmbedView is the small page meant for an iframe.
type EmbedView struct {
	Page
	Card Card
}

// DashboardView is a live grid of cards.
type DashboardView struct {
	Page
	Heading string
	Cards   []Card
	// Group is set on a roster group's dashboard: its count of members.
	Group bool
}

// BuilderView is the badge builder.
type BuilderView struct {
	Page
	// Base is the public base URL the snippets point to, without a
	// trailing slash.
	Base string
	// Target prefills the JID or room field.
	Target string
	// Example is what the previews and snippets show until something is
	// typed.
	Example string
	Styles  []string
	// Colors are the colour names the colour fields suggest.
	Colors []string
}

// online counts the cards of JIDs that are online, as a group's badge does.
func online(cards []Card) string {
	n := 0
	for _, c := range cards {
		switch c.Status {
		case "", "offline", "unknown":
		default:
			n++
		}
	}
	return strconv.Itoa(n)
}
