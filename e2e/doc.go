// Package e2e holds Coffer's end-to-end tests. They talk to real parts
// only: a server started in-process with package app, exactly as `coffer
// serve` starts it, or the coffer binary itself where a test is about
// what only a process can show (a SIGKILL, two processes on one database,
// the command line); SQLite files and databases of their own on the real
// PostgreSQL (sqlstore/pgtest); webhook and SMTP receivers on loopback;
// stripe-mock where it is installed.
//
// The package has no code of its own beyond this comment: everything is
// in its _test.go files.
package e2e
