// Package templates renders the HTML pages of docs/API.md#pages: the badge builder,
// the iframe embeds and the dashboards. Components take view structs only;
// the web package fills them and adds the headers.
package templates

// Assets are the content-hashed URLs of the static files a page loads.
type Assets struct {
	CSS     string
	Widget  string
	Page    string
	Builder string
}

// Page is what every page shares.
type Page struct {
	Title  string
	Assets Assets
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
}

// BuilderView is the badge builder.
type BuilderView struct {
	Page
	// Base is the public base URL the snippets point to, without a
	// trailing slash.
	Base string
	// Target prefills the JID or room field.
	Target string
	Styles []string
}
