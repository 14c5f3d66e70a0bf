module badges

go 1.26.8

require (
	github.com/fogleman/gg v1.3.0
	github.com/hashicorp/golang-lru/v2 v2.0.7
	golang.org/x/image v0.47.0
	golang.org/x/text v0.43.0
	mellium.im/xmpp v0.22.0
)

require (
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	golang.org/x/net v0.48.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	mellium.im/reader v0.1.0 // indirect
	mellium.im/xmlstream v0.15.4 // indirect
)
