// Package e2e holds end-to-end tests that build the badges binary and run it
// as a real process on loopback: writes over HTTP and kopano's API, signed
// visibility, and durability across a kill -9. It has no code of its own.
package e2e
