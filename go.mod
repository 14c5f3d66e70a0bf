module badges

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	go.etcd.io/bbolt v1.5.0
	mellium.im/xmpp v0.22.0
)

require (
	golang.org/x/net v0.48.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
	golang.org/x/text v0.32.0 // indirect
	mellium.im/reader v0.1.0 // indirect
	mellium.im/xmlstream v0.15.4 // indirect
)
