package wsload

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit lifts the soft limit on open files to the hard limit and
// returns it: every connection is a file on both sides.
func RaiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("wsload: getrlimit: %w", err)
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("wsload: setrlimit: %w", err)
	}
	return l.Cur, nil
}
