package service

import (
	"strings"
	"testing"
)

// A hash is argon2id in PHC form with its own parameters and salt; it
// verifies its password only, and a hash it cannot read verifies nothing.
func TestPasswordHashes(t *testing.T) {
	p := PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h := hashPassword("correct horse battery", p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC form", h)
	}
	if h == hashPassword("correct horse battery", p) {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !verifyPassword("correct horse battery", h) || verifyPassword("correct horse batterx", h) {
		t.Fatal("verify does not tell the password")
	}
	if d := hashPassword("x", DefaultPasswordParams()); !strings.HasPrefix(d, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default parameters: %q", d)
	}
	for _, bad := range []string{"", "plain", strings.Replace(h, "argon2id", "argon2i", 1), strings.Replace(h, "m=64", "m=99999999", 1),
		strings.Replace(h, "v=19", "v=16", 1), h[:len(h)-4] + "!!!!"} {
		if verifyPassword("correct horse battery", bad) {
			t.Errorf("verified against %q", bad)
		}
	}
}

// Temporary passwords are long enough to pass the rules they must be
// changed under, and drawn from an alphabet without look-alikes.
func TestTempPasswords(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p := newTempPassword()
		if len(p) != 23 || strings.Count(p, "-") != 3 || strings.ContainsAny(p, "01ilo") || seen[p] {
			t.Fatalf("temporary password %q", p)
		}
		seen[p] = true
		if err := checkNewPassword("p", p, "a@b.c"); err != nil {
			t.Fatalf("%q: %v", p, err)
		}
	}
}

// What one sign-in's hash costs at the default parameters:
// go test -run - -bench HashPassword ./service.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		hashPassword("correct horse battery staple", DefaultPasswordParams())
	}
}
