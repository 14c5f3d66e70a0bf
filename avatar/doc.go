// Package avatar turns the pictures users publish over XMPP into the square
// PNGs that /avatar/{jid}.png serves, and draws the placeholder served for
// everyone else (docs/API.md#rich-presence). A picture is never served as it
// was uploaded: it is decoded, cropped, scaled and encoded again.
package avatar
