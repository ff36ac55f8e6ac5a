//go:build !unix

package app

// openFileLimit is 0 where there is no RLIMIT_NOFILE to read: the default
// connection limit is then a fixed number.
func openFileLimit() uint64 { return 0 }
