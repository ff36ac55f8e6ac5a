package service

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/cofferdev/coffer"
)

// PasswordParams are argon2id's cost parameters for new password hashes.
// Each hash records the parameters it was made with (PHC string form), so
// raising them later leaves older hashes verifiable.
type PasswordParams struct {
	Time      uint32 // passes over the memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultPasswordParams are OWASP's recommended minimum for argon2id
// (Password Storage Cheat Sheet): 19 MiB, two passes, one lane. A hash
// took 52 to 70 ms on one core of the shared 2-core test machine
// (BenchmarkHashPassword), which bounds what a stolen hash is worth
// without letting sign-ins, which are also rate-limited, tax the hot path.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}
}

// Bounds on passwords: a minimum that resists guessing, and a maximum that
// keeps one request from hashing megabytes.
const (
	MinPasswordLength = 12
	maxPasswordBytes  = 256
	saltBytes         = 16
	hashBytes         = 32
	// maxStoredMemoryKiB refuses to verify a stored hash that asks for
	// absurd memory (a corrupted or planted row) rather than exhaust it.
	maxStoredMemoryKiB = 1 << 20
)

// hashPassword returns the PHC string of an argon2id hash of password.
func hashPassword(password string, p PasswordParams) string {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		panic("service: crypto/rand failed: " + err.Error())
	}
	sum := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, hashBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum))
}

// verifyPassword reports whether password matches the PHC string encoded.
// A string it cannot read matches nothing.
func verifyPassword(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.MemoryKiB > maxStoredMemoryKiB || p.Time == 0 || p.Threads == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// tempAlphabet has no look-alikes (0/o, 1/l/i), so a temporary password
// read aloud or off a screen is typed right the first time.
const tempAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newTempPassword returns a one-time password of 20 random characters
// (about 99 bits) in four dash-separated groups. Bytes past the largest
// multiple of the alphabet's size are drawn again, so every character is
// equally likely.
func newTempPassword() string {
	var sb strings.Builder
	var b [1]byte
	for n := 0; n < 20; {
		if _, err := rand.Read(b[:]); err != nil {
			panic("service: crypto/rand failed: " + err.Error())
		}
		if int(b[0]) >= 256/len(tempAlphabet)*len(tempAlphabet) {
			continue
		}
		if n > 0 && n%5 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(tempAlphabet[int(b[0])%len(tempAlphabet)])
		n++
	}
	return sb.String()
}

// checkNewPassword says what is wrong with a password a user chose.
func checkNewPassword(param, password, email string) error {
	switch n := utf8.RuneCountInString(password); {
	case n == 0:
		return coffer.Invalid(param, "is required")
	case n < MinPasswordLength:
		return coffer.Invalid(param, "must be at least %d characters long; it has %d", MinPasswordLength, n)
	case len(password) > maxPasswordBytes:
		return coffer.Invalid(param, "must be at most %d bytes long", maxPasswordBytes)
	case strings.EqualFold(password, email):
		return coffer.Invalid(param, "must not be your e-mail address")
	}
	return nil
}
