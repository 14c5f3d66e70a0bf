package render

import (
	"encoding/binary"

	"badges/presence"
)

// Favicon returns the site's icon as an ICO file: the status dot of
// "available", 32 pixels square, stored as PNG inside the ICO container,
// which every browser reads.
func Favicon() []byte {
	img := Icon(presence.Available, Options{Size: 32}, PNG).Body
	const header = 6 + 16 // ICONDIR and one ICONDIRENTRY
	ico := make([]byte, header, header+len(img))
	binary.LittleEndian.PutUint16(ico[2:], 1)   // type: icon
	binary.LittleEndian.PutUint16(ico[4:], 1)   // one image
	ico[6], ico[7] = 32, 32                     // width, height
	binary.LittleEndian.PutUint16(ico[10:], 1)  // colour planes
	binary.LittleEndian.PutUint16(ico[12:], 32) // bits per pixel
	binary.LittleEndian.PutUint32(ico[14:], uint32(len(img)))
	binary.LittleEndian.PutUint32(ico[18:], header)
	return append(ico, img...)
}
